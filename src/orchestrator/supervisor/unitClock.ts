/**
 * A unit's time at work (pure): a worker's clock runs on while the supervisor holds it
 * stopped (SIGSTOP, a paused track), so the time a unit took is its wall time less the
 * spans its worker was stopped while the unit was open.
 */

/** One span a worker was stopped: from SIGSTOP to SIGCONT (`to` undefined while stopped). */
export interface StopSpan {
  readonly from: number;
  readonly to: number | undefined;
}

/** A worker's stopped spans, oldest first. */
export type PauseLog = readonly StopSpan[];

/** The log with a stop at `at` (unchanged while already stopped). */
export function stoppedAt(log: PauseLog, at: number): PauseLog {
  const last = log.at(-1);
  return last && last.to === undefined ? log : [...log, { from: at, to: undefined }];
}

/** The log with the open stop ended at `at` (unchanged while not stopped). */
export function continuedAt(log: PauseLog, at: number): PauseLog {
  const last = log.at(-1);
  return last && last.to === undefined ? [...log.slice(0, -1), { from: last.from, to: at }] : log;
}

/** Milliseconds of the log between `from` and `now` (a stop still open counts up to `now`). */
export function pausedBetween(log: PauseLog, from: number, now: number): number {
  return log.reduce(
    (ms, st) => ms + Math.max(0, Math.min(st.to ?? now, now) - Math.max(st.from, from)),
    0,
  );
}

/**
 * A unit's time at work: `wallMs` as its worker measured it, less what the log holds
 * between the unit's start (`from`, the supervisor's clock) and `now`; never below 0.
 */
export function workingMs(wallMs: number, log: PauseLog, from: number, now: number): number {
  return Math.max(0, wallMs - pausedBetween(log, from, now));
}

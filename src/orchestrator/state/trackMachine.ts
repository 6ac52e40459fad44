/**
 * The state machine of one track. The supervisor owns it and publishes every change as a
 * `track_state` event; the reducer only records the status it is told, so every view (the
 * dashboard, `--json`, `status`, on any host) shows the same status and derives nothing.
 *
 * ```
 *            ┌───────────── pause ─────────────┐
 *            │                                 ▼
 *   waiting ─┴─ worker started ─▶ running ◀─ resume ─ paused
 *      │                          │  ▲  ╲               │
 *      │        restart / a crash │  │   ╲ pause        │ restart
 *      │        left no worker    ▼  │    ╲             ▼
 *      │                      restarting ──▶ (fresh worker) ─▶ running
 *      │                          │ crashes over the limit
 *      ▼                          ▼
 *   complete ◀── queue drained ── running ── drained with failed units / gave up ─▶ failed
 *
 *   running ── its last worker gave a paused track's lent slot back ─▶ waiting
 *   complete / failed ── restart (retry) ─▶ restarting
 *   any of waiting, running, paused, restarting ── the run stops with work left ─▶ stopped
 * ```
 *
 * `stopped` is final: the run is over. `complete` and `failed` are final for this run unless
 * the track is restarted (`r`) or its failed units are given back to the queue (`R`:
 * `restarting`, then `running` with fresh workers).
 */

/** What a track is doing, as every view's badge shows it. */
export type TrackStatus =
  | 'waiting'
  | 'running'
  | 'paused'
  | 'restarting'
  | 'failed'
  | 'complete'
  | 'stopped';

/** The statuses each status may change to. */
export const TRANSITIONS: Readonly<Record<TrackStatus, readonly TrackStatus[]>> = {
  waiting: ['running', 'paused', 'complete', 'failed', 'stopped'],
  running: ['paused', 'waiting', 'restarting', 'complete', 'failed', 'stopped'],
  paused: ['running', 'waiting', 'restarting', 'failed', 'stopped'],
  restarting: ['running', 'paused', 'failed', 'stopped'],
  failed: ['restarting'],
  complete: ['restarting'],
  stopped: [],
};

/** Statuses in which the track still has work under way or to come. */
export function isLive(status: TrackStatus): boolean {
  return (
    status === 'waiting' || status === 'running' || status === 'paused' || status === 'restarting'
  );
}

/** True when `from` may change to `to`. */
export function canTransition(from: TrackStatus, to: TrackStatus): boolean {
  return TRANSITIONS[from].includes(to);
}

/** One track's machine: the current status and the checked way to change it. */
export class TrackMachine {
  constructor(private current: TrackStatus = 'waiting') {}

  get status(): TrackStatus {
    return this.current;
  }

  /**
   * Moves to `to` when the table allows it and returns true; otherwise leaves the status
   * as it is and returns false (a late event, e.g. a crash reported after the run stopped).
   */
  transition(to: TrackStatus): boolean {
    if (to === this.current || !canTransition(this.current, to)) return false;
    this.current = to;
    return true;
  }
}

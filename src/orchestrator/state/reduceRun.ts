import type { RunEvent } from './events.js';
import { note, withTrack } from './stateOps.js';
import type { RunState } from './stateTypes.js';

type Ev<T extends RunEvent['type']> = Extract<RunEvent, { type: T }>;

/** The run's supervisor started (or carries on a run stopped unexpectedly). */
export function onRunStarted(s: RunState, ev: Ev<'run_started'>): RunState {
  const { runId, host, pid, resumedFrom } = ev;
  const next: RunState = {
    ...s,
    runId,
    startedAt: s.startedAt ?? ev.at,
    supervisor: { host, pid, ...(ev.logFile ? { logFile: ev.logFile } : {}) },
    resumedFrom,
  };
  const n = { kind: 'run_started', runId, host, pid, resumedFrom } as const;
  return note(next, { at: ev.at, track: undefined, level: 'info', note: n });
}

/** The preflight's report: nothing runs when it found a problem. */
export function onPreflight(s: RunState, ev: Ev<'preflight'>): RunState {
  const r = ev.report;
  const n = {
    kind: 'preflight',
    ok: r.ok,
    problems: r.problems.length,
    tables: r.tablesChecked,
  } as const;
  const level = r.ok ? 'info' : 'error';
  return note({ ...s, preflight: r }, { at: ev.at, track: undefined, level, note: n });
}

/**
 * The plan: totals and what earlier runs finished; the units start running. The event's
 * `empty` (the ledger's word, as stored) is the state's `noData`.
 */
export function onPlanned(s: RunState, ev: Ev<'run_planned'>): RunState {
  let next: RunState = {
    ...s,
    runId: ev.runId,
    startedAt: s.startedAt ?? ev.at,
    phase: 'running',
    maxAttempts: ev.maxAttempts,
    stallMs: ev.stallMs,
  };
  for (const p of ev.tracks) {
    next = withTrack(next, p.track, (t) => ({
      ...t,
      total: p.total,
      done: p.done,
      noData: p.empty,
      rows: p.rows,
      plannedWorkers: p.workers,
      stale: p.stale ?? 0,
    }));
  }
  const todo = ev.tracks.reduce((n, p) => n + p.total - p.done - p.empty, 0);
  const stale = ev.tracks.reduce((n, p) => n + (p.stale ?? 0), 0);
  const adopted = ev.tracks.reduce((n, p) => n + (p.adopted ?? 0), 0);
  const n = { kind: 'run_planned', runId: ev.runId, todo, stale, adopted } as const;
  return note(next, { at: ev.at, track: undefined, level: 'info', note: n });
}

/** A command of the control channel, carried out: noted with what came of it. */
export function onCommand(s: RunState, ev: Ev<'command'>): RunState {
  const { action, track, by, result } = ev;
  const n = { kind: 'command', action, track, by, result } as const;
  return note(s, { at: ev.at, track: track ?? undefined, level: 'info', note: n });
}

/** The database lost or back, for the supervisor or for this view. */
export function onConnection(s: RunState, ev: Ev<'connection'>): RunState {
  const lost = ev.state === 'lost';
  const unreachableSince = { ...s.unreachableSince, [ev.side]: lost ? ev.since : undefined };
  const n = {
    kind: 'connection',
    side: ev.side,
    state: ev.state,
    since: ev.since,
    downMs: lost ? undefined : ev.at - ev.since,
    error: ev.error,
  } as const;
  return note(
    { ...s, unreachableSince },
    { at: ev.at, track: undefined, level: lost ? 'error' : 'info', note: n },
  );
}

/**
 * The run's clock stopped at its end: every figure of an ended run is of its end, in every
 * view, however long after it is watched (the supervisor's clock: a view's may differ).
 */
function ended(s: RunState, at: number): RunState {
  const endedAt = s.endedAt ?? at;
  return { ...s, finished: true, endedAt, now: endedAt };
}

/** The run's end as its supervisor published it. */
export function onFinished(s: RunState, ev: Ev<'run_finished'>): RunState {
  const end = { status: ev.status, exitCode: ev.exitCode, message: ev.message };
  // Its workers have exited: the last sample's processes are no longer running.
  const system = s.system && { ...s.system, workers: [] };
  const next = { ...ended(s, ev.at), interrupted: ev.status === 'interrupted', end, system };
  const n = { kind: 'run_finished', runId: s.runId, ...end } as const;
  const level = ev.status === 'complete' ? 'info' : 'error';
  return note(next, { at: ev.at, track: undefined, level, note: n });
}

/** A view found the run's supervisor gone without finishing the run. */
export function onRunLost(s: RunState, ev: Ev<'run_lost'>): RunState {
  const n = { kind: 'run_lost', message: ev.message } as const;
  return note(
    { ...ended(s, ev.at), lost: ev.message },
    { at: ev.at, track: undefined, level: 'error', note: n },
  );
}

import type { RunEvent } from './events.js';
import type { Level } from './notes.js';
import { note, output, withTrack } from './stateOps.js';
import { PAUSES_KEPT, type RunState, type TrackState } from './stateTypes.js';

type Ev<T extends RunEvent['type']> = Extract<RunEvent, { type: T }>;

/** The plan: totals and what earlier runs finished; the units start running. */
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
      empty: p.empty,
      rows: p.rows,
      plannedWorkers: p.workers,
    }));
  }
  const todo = ev.tracks.reduce((n, p) => n + p.total - p.done - p.empty, 0);
  return note(next, ev.at, undefined, 'info', { kind: 'run_planned', runId: ev.runId, todo });
}

/**
 * A track's new status. Pausing starts a pause interval; resuming ends it, adds its length
 * to every unit it held up (paused time is not unit time), and restarts their stall clock.
 */
export function onTrackState(s: RunState, ev: Ev<'track_state'>): RunState {
  const next = withTrack(s, ev.track, (t): TrackState => {
    const base = { ...t, status: ev.status, statusReason: ev.reason };
    if (ev.status === 'paused' && t.pausedSince === undefined) {
      return { ...base, pausedSince: ev.at };
    }
    if (ev.status !== 'paused' && t.pausedSince !== undefined) {
      const from = t.pausedSince;
      return {
        ...base,
        pausedSince: undefined,
        pauses: [...t.pauses, { from, to: ev.at }].slice(-PAUSES_KEPT),
        running: t.running.map((r) => ({
          ...r,
          pausedMs: r.pausedMs + (ev.at - Math.max(from, r.startedAt)),
          lastEventAt: ev.at,
          stalled: false,
        })),
      };
    }
    return base;
  });
  const level: Level = ev.status === 'failed' || ev.status === 'stopped' ? 'error' : 'info';
  return note(next, ev.at, ev.track, level, {
    kind: 'track_state',
    status: ev.status,
    reason: ev.reason,
  });
}

/** A worker process ended; an unexpected end is a crash, and its units are retried. */
export function onChildExited(s: RunState, ev: Ev<'child_exited'>): RunState {
  // Its units, not those of another host's worker that has the same pid.
  const mine = (r: { pid: number; remote: boolean }) => r.pid === ev.pid && !r.remote;
  const lost = s.tracks[ev.track].running.filter(mine);
  const { [ev.pid]: _, ...starting } = s.starting;
  const next = withTrack({ ...s, starting }, ev.track, (t) => ({
    ...t,
    workers: t.workers.filter((p) => p !== ev.pid),
    running: t.running.filter((r) => !mine(r)),
    crashes: ev.expected ? t.crashes : t.crashes + 1,
  }));
  if (ev.expected)
    return output(next, ev.at, ev.track, ev.pid, 'info', {
      kind: 'worker_exited',
      pid: ev.pid,
      code: ev.code,
      signal: ev.signal,
    });
  return note(
    next,
    ev.at,
    ev.track,
    'error',
    {
      kind: 'worker_died',
      pid: ev.pid,
      code: ev.code,
      signal: ev.signal,
      units: lost.map((r) => r.unit),
    },
    ev.pid,
  );
}

/** The database lost or back, for the supervisor or for this view. */
export function onConnection(s: RunState, ev: Ev<'connection'>): RunState {
  const unreachableSince = {
    ...s.unreachableSince,
    [ev.side]: ev.state === 'lost' ? ev.since : undefined,
  };
  return note(
    { ...s, unreachableSince },
    ev.at,
    undefined,
    ev.state === 'lost' ? 'error' : 'info',
    {
      kind: 'connection',
      side: ev.side,
      state: ev.state,
      since: ev.since,
      downMs: ev.state === 'back' ? ev.at - ev.since : undefined,
      error: ev.error,
    },
  );
}

/** The run's end as its supervisor published it. */
export function onFinished(s: RunState, ev: Ev<'run_finished'>): RunState {
  const end = { status: ev.status, exitCode: ev.exitCode, message: ev.message };
  // Its workers have exited: the last sample's processes are no longer running.
  const system = s.system && { ...s.system, workers: [] };
  const next = { ...s, finished: true, interrupted: ev.status === 'interrupted', end, system };
  return note(next, ev.at, undefined, ev.status === 'complete' ? 'info' : 'error', {
    kind: 'run_finished',
    runId: s.runId,
    ...end,
  });
}

import type { RunEvent } from './events.js';
import type { Level } from './notes.js';
import { note, output, withTrack } from './stateOps.js';
import { PAUSES_KEPT, type RunState, type TrackState } from './stateTypes.js';

type Ev<T extends RunEvent['type']> = Extract<RunEvent, { type: T }>;

/** A worker process of the supervisor's started for a track (it starts the track's clock). */
export function onChildStarted(s: RunState, ev: Ev<'child_started'>): RunState {
  const next = withTrack({ ...s, starting: { ...s.starting, [ev.pid]: ev.at } }, ev.track, (t) => ({
    ...t,
    workers: [...t.workers.filter((p) => p !== ev.pid), ev.pid],
    startedAt: t.startedAt ?? ev.at,
  }));
  const n = { kind: 'worker_started', pid: ev.pid } as const;
  return output(next, { at: ev.at, track: ev.track, pid: ev.pid, level: 'info', note: n });
}

/** A worker process ended; an unexpected end is a crash, and its units are retried. */
export function onChildExited(s: RunState, ev: Ev<'child_exited'>): RunState {
  const { at, track, pid, code, signal } = ev;
  // Its units, not those of another host's worker that has the same pid.
  const mine = (r: { pid: number; remote: boolean }) => r.pid === pid && !r.remote;
  const lost = s.tracks[track].running.filter(mine);
  const { [pid]: _, ...starting } = s.starting;
  const next = withTrack({ ...s, starting }, track, (t) => ({
    ...t,
    workers: t.workers.filter((p) => p !== pid),
    running: t.running.filter((r) => !mine(r)),
    crashes: ev.expected ? t.crashes : t.crashes + 1,
  }));
  if (ev.expected) {
    const n = { kind: 'worker_exited', pid, code, signal } as const;
    return output(next, { at, track, pid, level: 'info', note: n });
  }
  const n = { kind: 'worker_died', pid, code, signal, units: lost.map((r) => r.unit) } as const;
  return note(next, { at, track, pid, level: 'error', note: n });
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
  const n = { kind: 'track_state', status: ev.status, reason: ev.reason } as const;
  return note(next, { at: ev.at, track: ev.track, level, note: n });
}

/** A track's live worker limit (`+` / `-`); the ETA's simulation of the scheduler uses it too. */
export function onTrackWorkers(s: RunState, ev: Ev<'track_workers'>): RunState {
  const next = withTrack(s, ev.track, (t) => ({ ...t, plannedWorkers: ev.workers }));
  // The ETA's simulation of the scheduler uses the new limits too (a `+` may raise both).
  const budget = s.budget && {
    budget: ev.budget ?? s.budget.budget,
    caps: { ...s.budget.caps, [ev.track]: ev.workers },
  };
  return { ...next, budget };
}

/** A note about a track that changes no status (e.g. a restart after a crash). */
export function onTrackControl(s: RunState, ev: Ev<'track_control'>): RunState {
  const level = ev.action === 'restart_backoff' ? 'warn' : 'info';
  const n = { kind: 'track_note', message: ev.message ?? ev.action } as const;
  return note(s, { at: ev.at, track: ev.track, level, note: n });
}

/** A running unit the supervisor found silent for too long: flagged (never killed). */
export function onUnitStalled(s: RunState, ev: Ev<'unit_stalled'>): RunState {
  const { at, track, unit, pid, silentMs } = ev;
  const next = withTrack(s, track, (t) => ({
    ...t,
    running: t.running.map((r) => (r.unit === unit ? { ...r, stalled: true } : r)),
  }));
  const n = { kind: 'unit_stalled', unit, pid, silentMs } as const;
  return note(next, { at, track, pid, level: 'warn', note: n });
}

import type { WorkerEvent } from '../../tracks/protocol/events.js';
import { RATE_WINDOW_MS } from './eta.js';
import type { Note } from './notes.js';
import { addFinish } from './paceSeries.js';
import { seenHost, tallyHost } from './reduceHosts.js';
import { note, output, withTrack } from './stateOps.js';
import { type RunState, TIMINGS_KEPT, type TrackState } from './stateTypes.js';

/**
 * A unit leaves the running list; the first report of its end counts, a repeat does not.
 * `ms` is its time at work (the event's, else measured here from its start); `null`: not
 * a timing to learn from (a failed unit).
 */
function finish(
  t: TrackState,
  unit: string,
  at: number,
  rows: number,
  ms: number | undefined | null,
) {
  const was = t.running.find((r) => r.unit === unit);
  const running = t.running.filter((r) => r.unit !== unit);
  // A unit reported twice (a job retried after its worker was presumed dead) counts once.
  if (t.finishedUnits.has(unit)) return { t: { ...t, running }, first: false };
  const finishedUnits = new Set(t.finishedUnits).add(unit);
  const finishes = [...t.finishes, { at, rows }].filter(
    (f, i, all) => f.at >= at - RATE_WINDOW_MS || i >= all.length - 3,
  );
  const took =
    ms === null ? undefined : (ms ?? (was ? at - was.startedAt - was.pausedMs : undefined));
  const timings =
    took === undefined ? t.timings : [...t.timings, { unit, ms: took }].slice(-TIMINGS_KEPT);
  const pace = addFinish(t.pace, at, t.startedAt);
  return { t: { ...t, running, finishedUnits, finishes, pace, timings }, first: true };
}

/** Counts a finished unit once (done, no data, or failed for good) and notes it. */
function finished(
  state: RunState,
  at: number,
  e: { track: WorkerEvent['track']; unit: string; host: string },
  rows: number,
  bytes: number,
  kind: 'done' | 'empty' | 'failed',
  n: Note,
  pid: number,
  host: string | undefined,
  ms?: number,
): RunState {
  let first = false;
  const next = withTrack(state, e.track, (t) => {
    const r = finish(t, e.unit, at, rows, kind === 'failed' ? null : ms);
    first = r.first;
    if (!first) return r.t;
    const thisRun = {
      ...t.thisRun,
      [kind]: t.thisRun[kind] + 1,
      rows: t.thisRun.rows + rows,
      bytes: t.thisRun.bytes + bytes,
    };
    return {
      ...r.t,
      [kind]: t[kind] + 1,
      rows: t.rows + rows,
      bytes: t.bytes + bytes,
      thisRun,
      lastFinished: n,
      failedUnits: kind === 'failed' ? [...t.failedUnits, e.unit] : t.failedUnits,
    };
  });
  if (!first) return next;
  const tallied = tallyHost(next, e.host, at, rows, kind);
  return note(tallied, at, e.track, kind === 'failed' ? 'error' : 'info', n, pid, host);
}

/** A worker's first unit: how long it took to start is part of what a new worker costs. */
function startedWork(state: RunState, pid: number, at: number): RunState {
  const since = state.starting[pid];
  if (since === undefined) return state;
  const { [pid]: _, ...starting } = state.starting;
  return { ...state, starting, startups: [...state.startups, at - since].slice(-20) };
}

/**
 * Folds one protocol event of a worker (process `pid`) into the state; `remote`: a worker
 * the supervisor does not run (its units leave with it when the registry drops it).
 */
export function onWorkerEvent(
  state: RunState,
  at: number,
  pid: number,
  e: WorkerEvent,
  remote = false,
): RunState {
  const track = e.track;
  // Lines of another host's worker name its host: its pid may be one of ours too.
  const host = remote ? e.host : undefined;
  switch (e.type) {
    case 'worker_start':
    case 'worker_exit':
      return state;
    case 'unit_start': {
      // A start-up time is a child's (another host's worker may have the same pid).
      const next = withTrack(
        seenHost(remote ? state : startedWork(state, pid, at), e.host, at),
        track,
        (t) => ({
          ...t,
          // A track only other hosts' workers run starts with their first unit.
          startedAt: t.startedAt ?? at,
          running: [
            ...t.running.filter((r) => r.unit !== e.unit),
            {
              unit: e.unit,
              pid,
              host: e.host,
              remote,
              attempt: e.attempt,
              activity: undefined,
              startedAt: at,
              pausedMs: 0,
              lastEventAt: at,
              stalled: false,
            },
          ],
        }),
      );
      return output(
        next,
        at,
        track,
        pid,
        'info',
        { kind: 'unit_started', unit: e.unit, attempt: e.attempt },
        host,
      );
    }
    case 'stage': {
      const activity = { stage: e.stage, detail: e.detail, rows: e.rows, total: e.total };
      const next = withTrack(state, track, (t) => ({
        ...t,
        running: t.running.map((r) =>
          r.unit === e.unit ? { ...r, activity, lastEventAt: at, stalled: false } : r,
        ),
      }));
      return output(
        next,
        at,
        track,
        pid,
        'info',
        { kind: 'stage', unit: e.unit, ...activity },
        host,
      );
    }
    case 'unit_done':
      return finished(
        state,
        at,
        e,
        e.rows,
        e.bytes,
        'done',
        { kind: 'unit_done', unit: e.unit, rows: e.rows, bytes: e.bytes, ms: e.ms },
        pid,
        host,
        e.ms,
      );
    case 'unit_empty':
      return finished(
        state,
        at,
        e,
        0,
        0,
        'empty',
        { kind: 'unit_empty', unit: e.unit, reason: e.reason },
        pid,
        host,
      );
    case 'unit_failed': {
      const final = e.attempt >= state.maxAttempts;
      const n: Note = {
        kind: 'unit_failed',
        unit: e.unit,
        attempt: e.attempt,
        maxAttempts: state.maxAttempts,
        code: e.code,
        message: e.message,
        final,
      };
      if (final) return finished(state, at, e, 0, 0, 'failed', n, pid, host);
      const next = withTrack(state, track, (t) => ({
        ...t,
        running: t.running.filter((r) => r.unit !== e.unit),
        retries: t.retries + 1,
      }));
      return note(next, at, track, 'warn', n, pid, host);
    }
    case 'unit_interrupted':
      return note(
        withTrack(state, track, (t) => ({
          ...t,
          running: t.running.filter((r) => r.unit !== e.unit),
        })),
        at,
        track,
        'warn',
        { kind: 'unit_interrupted', unit: e.unit, reason: e.reason },
        pid,
        host,
      );
    case 'warning':
      return note(
        state,
        at,
        track,
        'warn',
        { kind: 'warning', unit: e.unit, code: e.code, message: e.message, count: e.count },
        pid,
        host,
      );
  }
}

/**
 * Units failed for good this run went back to the queue (`R`): they no longer count as
 * failed, in the cumulative counts nor in this run's, and their next end counts again.
 */
export function onUnitsRetried(
  state: RunState,
  track: WorkerEvent['track'],
  units: readonly string[],
): RunState {
  return withTrack(state, track, (t) => {
    const back = new Set(units.filter((u) => t.failedUnits.includes(u)));
    if (back.size === 0) return t;
    const finishedUnits = new Set([...t.finishedUnits].filter((u) => !back.has(u)));
    return {
      ...t,
      failed: t.failed - back.size,
      thisRun: { ...t.thisRun, failed: t.thisRun.failed - back.size },
      finishedUnits,
      failedUnits: t.failedUnits.filter((u) => !back.has(u)),
    };
  });
}

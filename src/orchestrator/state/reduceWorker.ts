import type { TrackName, WorkerEvent } from '../../tracks/protocol/events.js';
import { RATE_WINDOW_MS } from './eta.js';
import type { RunEvent } from './events.js';
import type { Level, Note } from './notes.js';
import { addFinish } from './paceSeries.js';
import { seenHost, tallyHost } from './reduceHosts.js';
import { note, type OutputLine, output, withTrack } from './stateOps.js';
import { type RunState, TIMINGS_KEPT, type TrackState, type UnitOutcome } from './stateTypes.js';

type Ev<T extends RunEvent['type']> = Extract<RunEvent, { type: T }>;
type Body<T extends WorkerEvent['type']> = Extract<WorkerEvent, { type: T }>;

/** Where a worker's event comes from, and when the supervisor took it. */
interface Source {
  readonly at: number;
  readonly track: TrackName;
  readonly pid: number;
  /** A worker the supervisor does not run (its units leave with it when the registry drops it). */
  readonly remote: boolean;
  /** The worker's host: where its units run and are tallied. */
  readonly host: string;
}

/** A unit that ended for good: done, no data, or failed on its last attempt. */
interface UnitEnd {
  readonly unit: string;
  readonly outcome: UnitOutcome;
  readonly rows: number;
  readonly bytes: number;
  /** Its time at work as its worker measured it (else measured here from its start). */
  readonly ms?: number;
}

/** A line about the event; another host's worker is named by its host (pids repeat). */
function lineOf(src: Source, level: Level, n: Note): OutputLine {
  const host = src.remote ? src.host : undefined;
  return { at: src.at, track: src.track, pid: src.pid, host, level, note: n };
}

/** The state with `unit` no longer running on its track. */
function dropRunning(state: RunState, track: TrackName, unit: string): RunState {
  return withTrack(state, track, (t) => ({
    ...t,
    running: t.running.filter((r) => r.unit !== unit),
  }));
}

/**
 * A unit leaves the running list; the first report of its end counts (`first`), a repeat
 * (a job retried after its worker was presumed dead) does not. Its time at work is learnt
 * for the ETA unless it failed.
 */
function endUnit(t: TrackState, at: number, end: UnitEnd): { t: TrackState; first: boolean } {
  const was = t.running.find((r) => r.unit === end.unit);
  const running = t.running.filter((r) => r.unit !== end.unit);
  if (t.finishedUnits.has(end.unit)) return { t: { ...t, running }, first: false };
  const finishedUnits = new Set(t.finishedUnits).add(end.unit);
  const finishes = [...t.finishes, { at, rows: end.rows }].filter(
    (f, i, all) => f.at >= at - RATE_WINDOW_MS || i >= all.length - 3,
  );
  const measured = was ? at - was.startedAt - was.pausedMs : undefined;
  const took = end.outcome === 'failed' ? undefined : (end.ms ?? measured);
  const timings =
    took === undefined
      ? t.timings
      : [...t.timings, { unit: end.unit, ms: took }].slice(-TIMINGS_KEPT);
  const pace = addFinish(t.pace, at, t.startedAt);
  return { t: { ...t, running, finishedUnits, finishes, pace, timings }, first: true };
}

/** The track's counts, cumulative and this run's, with one more unit ended as `end` says. */
function counted(t: TrackState, end: UnitEnd, n: Note): TrackState {
  const { outcome, rows, bytes } = end;
  const r = t.thisRun;
  return {
    ...t,
    [outcome]: t[outcome] + 1,
    rows: t.rows + rows,
    bytes: t.bytes + bytes,
    thisRun: { ...r, [outcome]: r[outcome] + 1, rows: r.rows + rows, bytes: r.bytes + bytes },
    lastFinished: n,
    failedUnits: outcome === 'failed' ? [...t.failedUnits, end.unit] : t.failedUnits,
  };
}

/** Counts a unit that ended for good once (its track, its host) and notes it. */
function countEnd(state: RunState, src: Source, end: UnitEnd, n: Note): RunState {
  let first = false;
  const next = withTrack(state, src.track, (t) => {
    const r = endUnit(t, src.at, end);
    first = r.first;
    return first ? counted(r.t, end, n) : r.t;
  });
  if (!first) return next;
  const finish = { host: src.host, at: src.at, rows: end.rows, outcome: end.outcome };
  const level = end.outcome === 'failed' ? 'error' : 'info';
  return note(tallyHost(next, finish), lineOf(src, level, n));
}

/** A worker's first unit: how long it took to start is part of what a new worker costs. */
function startedWork(state: RunState, pid: number, at: number): RunState {
  const since = state.starting[pid];
  if (since === undefined) return state;
  const { [pid]: _, ...starting } = state.starting;
  return { ...state, starting, startups: [...state.startups, at - since].slice(-20) };
}

/** A unit starts running (again, for a retry: it replaces the earlier attempt). */
function onUnitStart(state: RunState, src: Source, e: Body<'unit_start'>): RunState {
  const { at, pid, remote, host } = src;
  // A start-up time is a child's (another host's worker may have the same pid).
  const seen = seenHost(remote ? state : startedWork(state, pid, at), host, at);
  const unit = {
    unit: e.unit,
    pid,
    host,
    remote,
    attempt: e.attempt,
    activity: undefined,
    startedAt: at,
    pausedMs: 0,
    lastEventAt: at,
    stalled: false,
  };
  const next = withTrack(seen, src.track, (t) => ({
    ...t,
    // A track only other hosts' workers run starts with their first unit.
    startedAt: t.startedAt ?? at,
    running: [...t.running.filter((r) => r.unit !== e.unit), unit],
  }));
  const n: Note = { kind: 'unit_started', unit: e.unit, attempt: e.attempt };
  return output(next, lineOf(src, 'info', n));
}

/** Where a running unit is now; any event of it restarts its stall clock. */
function onStage(state: RunState, src: Source, e: Body<'stage'>): RunState {
  const activity = { stage: e.stage, detail: e.detail, rows: e.rows, total: e.total };
  const next = withTrack(state, src.track, (t) => ({
    ...t,
    running: t.running.map((r) =>
      r.unit === e.unit ? { ...r, activity, lastEventAt: src.at, stalled: false } : r,
    ),
  }));
  return output(next, lineOf(src, 'info', { kind: 'stage', unit: e.unit, ...activity }));
}

/** A failed attempt: the last one counts the unit failed, an earlier one is a retry. */
function onUnitFailed(state: RunState, src: Source, e: Body<'unit_failed'>): RunState {
  const final = e.attempt >= state.maxAttempts;
  const { unit, attempt, code, message } = e;
  const n: Note = {
    kind: 'unit_failed',
    unit,
    attempt,
    maxAttempts: state.maxAttempts,
    code,
    message,
    final,
  };
  if (final) return countEnd(state, src, { unit, outcome: 'failed', rows: 0, bytes: 0 }, n);
  const next = withTrack(dropRunning(state, src.track, unit), src.track, (t) => ({
    ...t,
    retries: t.retries + 1,
  }));
  return note(next, lineOf(src, 'warn', n));
}

/**
 * Folds one protocol event of a worker into the state. The protocol's `unit_empty` is the
 * state's `noData` outcome: translated here, where it enters.
 */
export function onWorkerEvent(state: RunState, ev: Ev<'worker_event'>): RunState {
  const e = ev.event;
  const src: Source = {
    at: ev.at,
    track: e.track,
    pid: ev.pid,
    remote: ev.remote === true,
    host: e.host,
  };
  switch (e.type) {
    case 'worker_start':
    case 'worker_exit':
      return state;
    case 'unit_start':
      return onUnitStart(state, src, e);
    case 'stage':
      return onStage(state, src, e);
    case 'unit_done': {
      const n: Note = { kind: 'unit_done', unit: e.unit, rows: e.rows, bytes: e.bytes, ms: e.ms };
      const end = {
        unit: e.unit,
        outcome: 'done',
        rows: e.rows,
        bytes: e.bytes,
        ms: e.ms,
      } as const;
      return countEnd(state, src, end, n);
    }
    case 'unit_empty': {
      const n: Note = { kind: 'unit_no_data', unit: e.unit, reason: e.reason };
      return countEnd(state, src, { unit: e.unit, outcome: 'noData', rows: 0, bytes: 0 }, n);
    }
    case 'unit_failed':
      return onUnitFailed(state, src, e);
    case 'unit_interrupted': {
      const n: Note = { kind: 'unit_interrupted', unit: e.unit, reason: e.reason };
      return note(dropRunning(state, src.track, e.unit), lineOf(src, 'warn', n));
    }
    case 'warning': {
      const { unit, code, message, count } = e;
      return note(state, lineOf(src, 'warn', { kind: 'warning', unit, code, message, count }));
    }
  }
}

/** A line a worker printed (stderr as a warning): the track's log shows it. */
export function onWorkerLog(state: RunState, ev: Ev<'worker_log'>): RunState {
  const { at, track, pid, stream, text } = ev;
  const level = stream === 'stderr' ? 'warn' : 'info';
  return output(state, { at, track, pid, level, note: { kind: 'worker_log', pid, stream, text } });
}

/**
 * Units failed for good this run went back to the queue (`R`): they no longer count as
 * failed, in the cumulative counts nor in this run's, and their next end counts again.
 */
export function onUnitsRetried(state: RunState, ev: Ev<'units_retried'>): RunState {
  return withTrack(state, ev.track, (t) => {
    const back = new Set(ev.units.filter((u) => t.failedUnits.includes(u)));
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

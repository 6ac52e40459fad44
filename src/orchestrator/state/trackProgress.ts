import type { TrackName } from '../../tracks/protocol/events.js';
import { etaSeconds, type Throughput, throughput } from './eta.js';
import { simulate } from './estimate.js';
import { paceRates } from './paceSeries.js';
import type { Interval, RunningUnit, RunState, TrackState } from './stateTypes.js';
import { TRACK_ORDER } from './stateTypes.js';
import type { TrackStatus } from './trackMachine.js';

/** The status badge of a track: what the supervisor's state machine published. */
export function trackStatus(t: TrackState): TrackStatus {
  return t.status;
}

/** Units of a track not yet finished. */
export function remainingUnits(t: TrackState): number {
  return Math.max(0, t.total - t.done - t.noData - t.failed);
}

/** Milliseconds of [from, to] the track spent paused (ended pauses and the current one). */
export function pausedWithin(t: TrackState, from: number, to: number): number {
  const all: Interval[] =
    t.pausedSince === undefined ? [...t.pauses] : [...t.pauses, { from: t.pausedSince, to }];
  let ms = 0;
  for (const p of all) ms += Math.max(0, Math.min(p.to, to) - Math.max(p.from, from));
  return ms;
}

/** How long a running unit has been at work: paused time is not unit time. */
export function unitActiveMs(t: TrackState, r: RunningUnit, now: number): number {
  const ongoing = t.pausedSince === undefined ? 0 : now - Math.max(t.pausedSince, r.startedAt);
  return Math.max(0, now - r.startedAt - r.pausedMs - ongoing);
}

/**
 * A track's measured pace, over the time it was not paused. Once it has nothing left to
 * run, the pace it finished at: it must not decay with the clock while the others go on.
 */
export function trackThroughput(t: TrackState, now: number): Throughput | undefined {
  const until = trackUntil(t, now);
  return throughput(t.finishes, t.startedAt, until, (from, to) => pausedWithin(t, from, to));
}

/** When a track that has nothing left to run finished its last unit (undefined: not ended). */
function endedAt(t: TrackState): number | undefined {
  return remainingUnits(t) === 0 ? t.finishes.at(-1)?.at : undefined;
}

/** Where a track's clock stands: `now`, or its last finish once it has nothing left to run. */
export function trackUntil(t: TrackState, now: number): number {
  const end = endedAt(t);
  return end !== undefined ? Math.min(end, now) : now;
}

/** Wall time since the track's first worker started, to its end (0 before it starts). */
export function trackElapsedMs(t: TrackState, now: number): number {
  return t.startedAt === undefined ? 0 : Math.max(0, trackUntil(t, now) - t.startedAt);
}

/** Units per second over the track's run, a bucket each (paceSeries.ts), oldest first. */
export function trackPace(t: TrackState, now: number): number[] {
  return paceRates(t.pace, trackUntil(t, now), endedAt(t) !== undefined);
}

/** The running unit at work the longest, and for how long (ms); undefined if none runs. */
export function slowestRunning(
  t: TrackState,
  now: number,
): { readonly unit: RunningUnit; readonly ms: number } | undefined {
  let slowest: { unit: RunningUnit; ms: number } | undefined;
  for (const r of t.running) {
    const ms = unitActiveMs(t, r, now);
    if (slowest === undefined || ms > slowest.ms) slowest = { unit: r, ms };
  }
  return slowest;
}

const etaCache = new WeakMap<RunState, Partial<Record<TrackName, number>>>();

/**
 * Seconds left per track (undefined: not known yet, or paused): the work left of each
 * track from history corrected by this run's pace (estimate.ts), shared among workers as
 * the supervisor's scheduler shares the machine — a track that ends gives its slots to the
 * others. Without a budget or an estimate, the track's measured pace. Computed once per state.
 */
export function etas(state: RunState): Partial<Record<TrackName, number>> {
  const cached = etaCache.get(state);
  if (cached) return cached;
  const sim = state.budget ? simulate(state, state.budget) : {};
  const out: Partial<Record<TrackName, number>> = {};
  for (const track of TRACK_ORDER) {
    const t = state.tracks[track];
    if (t.status === 'paused' || t.status === 'failed' || t.status === 'stopped') continue;
    if (remainingUnits(t) === 0) {
      out[track] = 0;
      continue;
    }
    const ms = sim[track];
    const e =
      ms !== undefined ? ms / 1000 : etaSeconds(remainingUnits(t), trackThroughput(t, state.now));
    if (e !== undefined) out[track] = e;
  }
  etaCache.set(state, out);
  return out;
}

/** Seconds left for a track; undefined while not known, or while it is paused. */
export function trackEta(state: RunState, track: TrackName): number | undefined {
  return etas(state)[track];
}

/**
 * Overall fraction done (units finished over all units) and ETA: the last track's end;
 * unknown while a track with work left has no estimate or is paused.
 */
export function overall(state: RunState): {
  total: number;
  finished: number;
  failed: number;
  eta: number | undefined;
} {
  let total = 0;
  let finished = 0;
  let failed = 0;
  let eta: number | undefined = 0;
  const all = etas(state);
  for (const track of TRACK_ORDER) {
    const t = state.tracks[track];
    total += t.total;
    finished += t.done + t.noData + t.failed;
    failed += t.failed;
    if (t.status === 'failed' || t.status === 'stopped') continue;
    const e = all[track];
    eta = e === undefined || eta === undefined ? undefined : Math.max(eta, e);
  }
  if (eta !== undefined && !state.finished) eta += closingSeconds(state);
  return { total, finished, failed, eta };
}

/**
 * Time a partition's ANALYZE takes at the run's end (seconds): 19–30 ms each in
 * `npm run bench -- --scale` (144 in 2.8 s, 1,008 in 30.6 s), at statistics target 10.
 */
const ANALYZE_SECONDS_PER_PARTITION = 0.025;

/**
 * What the run does after its last unit (seconds): ANALYZE of every partition it wrote —
 * those of its done units and of its units still to run (a unit never run before is
 * counted as writing; no-data units write nothing, as history tells where it knows).
 */
export function closingSeconds(state: RunState): number {
  let partitions = 0;
  for (const track of TRACK_ORDER) {
    const t = state.tracks[track];
    const empty = state.history?.[track]?.emptyShare ?? 0;
    const left = Math.max(0, remainingUnits(t)) * (1 - empty);
    partitions += PARTITIONS_PER_UNIT[track] * (t.thisRun.done + left);
  }
  return partitions * ANALYZE_SECONDS_PER_PARTITION;
}

/** Output partitions a done unit of a track writes (Track 2: `reg_rate` and `reg_bqx`). */
export const PARTITIONS_PER_UNIT = { bollinger: 1, regression: 2, extraction: 0 } as const;

/** What this run itself did, all tracks together: units, rows, bytes, partitions, files. */
export interface RunTotals {
  readonly done: number;
  readonly noData: number;
  readonly failed: number;
  readonly rows: number;
  readonly bytes: number;
  readonly partitions: number;
  readonly files: number;
}

/** This run's totals (not the units earlier runs finished). */
export function thisRunTotals(state: RunState): RunTotals {
  let totals = { done: 0, noData: 0, failed: 0, rows: 0, bytes: 0, partitions: 0, files: 0 };
  for (const track of TRACK_ORDER) {
    const r = state.tracks[track].thisRun;
    totals = {
      done: totals.done + r.done,
      noData: totals.noData + r.noData,
      failed: totals.failed + r.failed,
      rows: totals.rows + r.rows,
      bytes: totals.bytes + r.bytes,
      partitions: totals.partitions + r.done * PARTITIONS_PER_UNIT[track],
      files: totals.files + (track === 'extraction' ? r.done : 0),
    };
  }
  return totals;
}

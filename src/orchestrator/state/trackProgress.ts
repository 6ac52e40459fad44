import { etaSeconds, type Throughput, throughput } from './eta.js';
import type { Interval, RunningUnit, RunState, TrackState } from './stateTypes.js';
import { TRACK_ORDER } from './stateTypes.js';
import type { TrackStatus } from './trackMachine.js';

/** The status badge of a track: what the supervisor's state machine published. */
export function trackStatus(t: TrackState): TrackStatus {
  return t.status;
}

/** Units of a track not yet finished. */
export function remainingUnits(t: TrackState): number {
  return Math.max(0, t.total - t.done - t.empty - t.failed);
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
  const last = t.finishes.at(-1)?.at;
  const until = remainingUnits(t) === 0 && last !== undefined ? Math.min(last, now) : now;
  return throughput(t.finishes, t.startedAt, until, (from, to) => pausedWithin(t, from, to));
}

/** Seconds left for a track at its measured pace; undefined while not measurable. */
export function trackEta(t: TrackState, now: number): number | undefined {
  return etaSeconds(remainingUnits(t), trackThroughput(t, now));
}

/** Overall fraction done (units finished over all units) and ETA (the slowest track's). */
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
  for (const track of TRACK_ORDER) {
    const t = state.tracks[track];
    total += t.total;
    finished += t.done + t.empty + t.failed;
    failed += t.failed;
    if (t.status === 'failed' || t.status === 'stopped') continue;
    const e = trackEta(t, state.now);
    eta = e === undefined || eta === undefined ? undefined : Math.max(eta, e);
  }
  return { total, finished, failed, eta };
}

/** Output partitions a done unit of a track writes (Track 2: `reg_rate` and `reg_bqx`). */
export const PARTITIONS_PER_UNIT = { bollinger: 1, regression: 2, extraction: 0 } as const;

/** What this run itself did, all tracks together: units, rows, bytes, partitions, files. */
export interface RunTotals {
  readonly done: number;
  readonly empty: number;
  readonly failed: number;
  readonly rows: number;
  readonly bytes: number;
  readonly partitions: number;
  readonly files: number;
}

/** This run's totals (not the units earlier runs finished). */
export function thisRunTotals(state: RunState): RunTotals {
  let totals = { done: 0, empty: 0, failed: 0, rows: 0, bytes: 0, partitions: 0, files: 0 };
  for (const track of TRACK_ORDER) {
    const r = state.tracks[track].thisRun;
    totals = {
      done: totals.done + r.done,
      empty: totals.empty + r.empty,
      failed: totals.failed + r.failed,
      rows: totals.rows + r.rows,
      bytes: totals.bytes + r.bytes,
      partitions: totals.partitions + r.done * PARTITIONS_PER_UNIT[track],
      files: totals.files + (track === 'extraction' ? r.done : 0),
    };
  }
  return totals;
}

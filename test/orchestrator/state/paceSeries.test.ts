import { describe, expect, it } from 'vitest';
import type { RunEvent } from '../../../src/orchestrator/state/events.js';
import {
  addFinish,
  EMPTY_PACE,
  FIRST_BUCKET_MS,
  PACE_BUCKETS,
  type PaceSeries,
  paceRates,
} from '../../../src/orchestrator/state/paceSeries.js';
import {
  initialState,
  reduce,
  slowestRunning,
  trackElapsedMs,
  trackPace,
} from '../../../src/orchestrator/state/runState.js';
import { workerEvent } from '../../support/runEvents.js';

const w = workerEvent;
const T0 = 1_000_000;

/** A series of finishes at the given offsets (ms) from a track started at T0. */
const finishesAt = (offsets: readonly number[]): PaceSeries =>
  offsets.reduce((s, o) => addFinish(s, T0 + o, T0), EMPTY_PACE);

describe('pace series', () => {
  it('counts finishes per bucket from the track start, idle buckets as zero', () => {
    const b = FIRST_BUCKET_MS;
    const s = finishesAt([100, 200, 3 * b + 1]);
    expect(s).toEqual({ origin: T0, bucketMs: b, counts: [2, 0, 0, 1] });
  });

  it('merges neighbours pairwise when full, keeping every finish and the whole run', () => {
    const b = FIRST_BUCKET_MS;
    const offsets = Array.from({ length: 5 * PACE_BUCKETS }, (_, i) => i * b);
    const s = finishesAt(offsets);
    expect(s.counts.length).toBeLessThanOrEqual(PACE_BUCKETS);
    expect(s.counts.reduce((a, c) => a + c, 0)).toBe(offsets.length);
    // 5 × 64 buckets of the first width fit in 64 only at 8 times it.
    expect(s.bucketMs).toBe(8 * b);
    expect(s.origin! + s.counts.length * s.bucketMs).toBeGreaterThan(T0 + offsets.at(-1)!);
  });

  it('stays bounded over a long run', () => {
    let s = EMPTY_PACE;
    for (let i = 0; i < 20_000; i++) s = addFinish(s, T0 + i * 1_000, T0);
    expect(s.counts.length).toBeLessThanOrEqual(PACE_BUCKETS);
    expect(s.counts.reduce((a, c) => a + c, 0)).toBe(20_000);
  });

  it('gives units per second per bucket, the bucket in progress once half of it has passed', () => {
    const b = FIRST_BUCKET_MS;
    const s = finishesAt([100, 200, b + 100]);
    const perBucket = 2 / (b / 1000);
    // A quarter into the second bucket: too little of it to tell a pace.
    expect(paceRates(s, T0 + b + b / 4)).toEqual([perBucket]);
    // Three quarters into it: one unit over that time.
    expect(paceRates(s, T0 + b + (3 * b) / 4)).toEqual([perBucket, 1 / ((3 * b) / 4 / 1000)]);
    // Long idle after: the pace falls to zero, buckets merged to span it all.
    const later = paceRates(s, T0 + 200 * b);
    expect(later.length).toBeLessThanOrEqual(PACE_BUCKETS);
    expect(later.at(-1)).toBe(0);
    expect(later[0]).toBeGreaterThan(0);
    expect(paceRates(EMPTY_PACE, T0)).toEqual([]);
  });

  it("shows a finished track's last bucket however little of it the track ran", () => {
    const b = FIRST_BUCKET_MS;
    // Three units, all in the second bucket, the last a tenth into it: folded into the first.
    const late = finishesAt([b + 100, b + 200, b + b / 10]);
    expect(paceRates(late, T0 + b + b / 10)).toEqual([0]);
    expect(paceRates(late, T0 + b + b / 10, true)).toEqual([3 / ((b + b / 10) / 1000)]);
    // A track that ran less than half a bucket: its units over its time.
    const short = finishesAt([500, 1_000]);
    expect(paceRates(short, T0 + 1_000)).toEqual([]);
    expect(paceRates(short, T0 + 1_000, true)).toEqual([2 / 1]);
    // Half a bucket or more: as while it runs.
    expect(paceRates(late, T0 + b + b / 2, true)).toEqual(paceRates(late, T0 + b + b / 2));
  });
});

describe('a track in the run state', () => {
  const events: RunEvent[] = [
    {
      type: 'run_planned',
      at: T0,
      runId: 'r1',
      maxAttempts: 3,
      stallMs: 60_000,
      tracks: [
        { track: 'bollinger', total: 3, done: 0, empty: 0, rows: 0, workers: 2 },
        { track: 'regression', total: 1, done: 0, empty: 0, rows: 0, workers: 1 },
        { track: 'extraction', total: 1, done: 0, empty: 0, rows: 0, workers: 1 },
      ],
    },
    { type: 'child_started', at: T0, track: 'bollinger', pid: 1 },
    { type: 'child_started', at: T0, track: 'bollinger', pid: 2 },
    w(T0 + 1_000, 'bollinger', 1, { type: 'unit_start', unit: 'eurusd/2024-03', attempt: 1 }),
    w(T0 + 9_000, 'bollinger', 2, { type: 'unit_start', unit: 'gbpusd/2024-03', attempt: 1 }),
    w(T0 + 12_000, 'bollinger', 2, {
      type: 'unit_done',
      unit: 'gbpusd/2024-03',
      rows: 5,
      bytes: 9,
      ms: 3_000,
    }),
    // Reported twice (a retried job): counted once.
    w(T0 + 12_500, 'bollinger', 2, {
      type: 'unit_done',
      unit: 'gbpusd/2024-03',
      rows: 5,
      bytes: 9,
      ms: 3_000,
    }),
    w(T0 + 13_000, 'bollinger', 2, { type: 'unit_start', unit: 'audcad/2024-03', attempt: 1 }),
    { type: 'tick', at: T0 + 42_000 },
  ];
  const s = events.reduce(reduce, initialState(T0));
  const t = s.tracks.bollinger;

  it('keeps its pace series in the state: every view replaying the events draws the same', () => {
    expect(t.pace.counts.reduce((a, c) => a + c, 0)).toBe(1);
    expect(t.pace.origin).toBe(T0);
    const rates = trackPace(t, s.now);
    expect(rates.length).toBe(Math.floor(42_000 / FIRST_BUCKET_MS));
    expect(rates.filter((r) => r > 0)).toEqual([1 / (FIRST_BUCKET_MS / 1000)]);
    expect(events.reduce(reduce, initialState(T0)).tracks.bollinger.pace).toEqual(t.pace);
  });

  it('tells its elapsed time and its slowest running unit', () => {
    expect(trackElapsedMs(t, s.now)).toBe(42_000);
    const slow = slowestRunning(t, s.now);
    expect(slow?.unit.unit).toBe('eurusd/2024-03');
    expect(slow?.ms).toBe(41_000);
    expect(slowestRunning(s.tracks.regression, s.now)).toBeUndefined();
    expect(trackElapsedMs(s.tracks.regression, s.now)).toBe(0);
  });

  it("starts the clock of a track only other hosts' workers run at their first unit", () => {
    const remote = [
      events[0]!,
      w(
        T0 + 2_000,
        'regression',
        77,
        { type: 'unit_start', unit: 'eurusd/2024-03', attempt: 1 },
        { host: 'far', remote: true },
      ),
      { type: 'tick', at: T0 + 12_000 } as RunEvent,
    ].reduce(reduce, initialState(T0));
    expect(remote.tracks.regression.startedAt).toBe(T0 + 2_000);
    expect(trackElapsedMs(remote.tracks.regression, remote.now)).toBe(10_000);
  });

  it('stops its clock at its last finish once it has nothing left', () => {
    const done = [
      ...events,
      w(T0 + 50_000, 'bollinger', 1, {
        type: 'unit_done',
        unit: 'eurusd/2024-03',
        rows: 1,
        bytes: 1,
        ms: 49_000,
      }),
      w(T0 + 60_000, 'bollinger', 2, {
        type: 'unit_done',
        unit: 'audcad/2024-03',
        rows: 1,
        bytes: 1,
        ms: 47_000,
      }),
      { type: 'tick', at: T0 + 600_000 } as RunEvent,
    ].reduce(reduce, initialState(T0));
    expect(trackElapsedMs(done.tracks.bollinger, done.now)).toBe(60_000);
    expect(trackPace(done.tracks.bollinger, done.now)).toEqual(
      trackPace(done.tracks.bollinger, T0 + 60_000),
    );
  });
});

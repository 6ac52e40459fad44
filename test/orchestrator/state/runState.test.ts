import { describe, expect, it } from 'vitest';
import type { RunEvent } from '../../../src/orchestrator/state/events.js';
import {
  initialState,
  OUTPUT_LIMIT,
  overall,
  RECENT_LIMIT,
  type RunState,
  reduce,
  trackEta,
  trackStatus,
  thisRunTotals,
  trackThroughput,
  unitActiveMs,
} from '../../../src/orchestrator/state/runState.js';
import { snapshot } from '../../../src/orchestrator/state/snapshot.js';
import { findStalls } from '../../../src/orchestrator/state/stalls.js';
import { describeActivity, describeNote } from '../../../src/orchestrator/text/describe.js';
import { workerEvent } from '../../support/runEvents.js';

const w = workerEvent;

const planned = (at = 0): RunEvent => ({
  type: 'run_planned',
  at,
  runId: 'r1',
  maxAttempts: 3,
  stallMs: 60_000,
  tracks: [
    { track: 'bollinger', total: 10, done: 2, empty: 1, rows: 500, workers: 1 },
    { track: 'regression', total: 4, done: 0, empty: 0, rows: 0, workers: 1 },
    { track: 'extraction', total: 2, done: 0, empty: 0, rows: 0, workers: 1 },
  ],
});

const run = (events: RunEvent[]): RunState => events.reduce(reduce, initialState(0));

describe('run state reducer', () => {
  it('starts from the plan: totals and units finished by earlier runs', () => {
    const s = run([planned()]);
    expect(s.tracks.bollinger).toMatchObject({ total: 10, done: 2, noData: 1, rows: 500 });
    expect(trackStatus(s.tracks.bollinger)).toBe('waiting');
    expect(overall(s)).toMatchObject({ total: 16, finished: 3, failed: 0 });
  });

  it('follows a unit from start to done: latest stage, then counts, rows and activity', () => {
    const base = [
      planned(),
      { type: 'child_started', at: 1, track: 'regression', pid: 7 } as RunEvent,
      w(10, 'regression', 7, { type: 'unit_start', unit: 'audcad/2024-09', attempt: 1 }),
      w(20, 'regression', 7, {
        type: 'stage',
        unit: 'audcad/2024-09',
        stage: 'compute',
        detail: 'w45',
      }),
    ];
    const mid = run(base);
    expect(mid.tracks.regression.running).toEqual([
      expect.objectContaining({
        unit: 'audcad/2024-09',
        activity: { stage: 'compute', detail: 'w45', rows: undefined, total: undefined },
        pid: 7,
      }),
    ]);
    expect(describeActivity(mid.tracks.regression.running[0]!.activity)).toBe('computing w45');
    const end = run([
      ...base,
      w(30, 'regression', 7, {
        type: 'unit_done',
        unit: 'audcad/2024-09',
        rows: 366311,
        bytes: 87_200_000,
        ms: 54_500,
      }),
    ]);
    const t = end.tracks.regression;
    expect(t).toMatchObject({ done: 1, rows: 366311, bytes: 87_200_000, running: [] });
    expect(describeNote(t.lastFinished!)).toBe(
      'AUDCAD 2024-09: complete, 366,311 rows, 87.2 MB, 54.5 s',
    );
  });

  it.each([
    { stage: 'load' as const, rows: undefined, total: undefined, want: 'loading' },
    {
      stage: 'write' as const,
      rows: 120000,
      total: 370000,
      want: 'writing 120,000 / 370,000 rows',
    },
    { stage: 'write' as const, rows: 5, total: undefined, want: 'writing 5 rows' },
  ])('stage $stage shows "$want"', ({ stage, rows, total, want }) => {
    const s = run([
      planned(),
      w(1, 'extraction', 9, { type: 'unit_start', unit: 'gbpnzd', attempt: 1 }),
      w(2, 'extraction', 9, {
        type: 'stage',
        unit: 'gbpnzd',
        stage,
        ...(rows !== undefined ? { rows } : {}),
        ...(total !== undefined ? { total } : {}),
      }),
    ]);
    expect(describeActivity(s.tracks.extraction.running[0]?.activity)).toBe(want);
  });

  it('counts a retried failure as a retry, the last attempt as failed', () => {
    const s = run([
      planned(),
      w(1, 'extraction', 9, { type: 'unit_start', unit: 'gbpnzd', attempt: 1 }),
      w(2, 'extraction', 9, {
        type: 'unit_failed',
        unit: 'gbpnzd',
        code: '53100',
        message: 'disk full',
        attempt: 1,
      }),
      w(3, 'extraction', 9, { type: 'unit_start', unit: 'gbpnzd', attempt: 3 }),
      w(4, 'extraction', 9, {
        type: 'unit_failed',
        unit: 'gbpnzd',
        code: '53100',
        message: 'disk full',
        attempt: 3,
      }),
    ]);
    expect(s.tracks.extraction).toMatchObject({ retries: 1, failed: 1, running: [] });
    expect(s.recent.at(-1)).toMatchObject({ level: 'error', track: 'extraction' });
  });

  it('counts a unit reported done twice (a retried job) once', () => {
    const done = w(5, 'extraction', 9, {
      type: 'unit_done',
      unit: 'eurusd',
      rows: 10,
      bytes: 1,
      ms: 1,
    });
    const s = run([planned(), done, { ...done, at: 6 }]);
    expect(s.tracks.extraction).toMatchObject({ done: 1, rows: 10 });
  });

  it('a worker that dies mid-unit: the unit leaves the running list and an error is noted', () => {
    const s = run([
      planned(),
      { type: 'child_started', at: 1, track: 'bollinger', pid: 5 },
      w(2, 'bollinger', 5, { type: 'unit_start', unit: 'eurusd/2024-07', attempt: 1 }),
      {
        type: 'child_exited',
        at: 3,
        track: 'bollinger',
        pid: 5,
        code: null,
        signal: 'SIGKILL',
        expected: false,
      },
    ]);
    expect(s.tracks.bollinger.running).toEqual([]);
    expect(s.tracks.bollinger.crashes).toBe(1);
    expect(describeNote(s.recent.at(-1)!.note)).toBe(
      'worker 5 killed by SIGKILL; EURUSD 2024-07 will be retried',
    );
  });

  it('shows the status the supervisor publishes, and notes why', () => {
    const s = run([
      planned(),
      { type: 'child_started', at: 1, track: 'bollinger', pid: 5 },
      { type: 'track_state', at: 1, track: 'bollinger', status: 'running', reason: 'running' },
      { type: 'track_state', at: 2, track: 'bollinger', status: 'paused', reason: 'paused' },
    ]);
    expect(trackStatus(s.tracks.bollinger)).toBe('paused');
    expect(s.tracks.bollinger.statusReason).toBe('paused');
    expect(s.recent.at(-1)).toMatchObject({ track: 'bollinger', note: { reason: 'paused' } });
  });

  it('derives no status from counts: every unit finished is not "complete" until said so', () => {
    const finished = [
      planned(),
      w(1, 'extraction', 9, { type: 'unit_done', unit: 'eurusd', rows: 1, bytes: 1, ms: 1 }),
      w(2, 'extraction', 9, { type: 'unit_empty', unit: 'usdjpy', reason: 'no rows' }),
    ];
    expect(trackStatus(run(finished).tracks.extraction)).toBe('waiting');
    const said = run([
      ...finished,
      { type: 'track_state', at: 3, track: 'extraction', status: 'complete', reason: 'complete' },
    ]);
    expect(trackStatus(said.tracks.extraction)).toBe('complete');
  });

  it('flags a unit the supervisor found stalled, noted, and clears it on its next event', () => {
    const start = [
      planned(),
      w(1_000, 'regression', 7, { type: 'unit_start', unit: 'eurusd/2024-07', attempt: 1 }),
    ];
    const stall: RunEvent = {
      type: 'unit_stalled',
      at: 62_000,
      track: 'regression',
      unit: 'eurusd/2024-07',
      pid: 7,
      silentMs: 61_000,
    };
    const stalled = run([...start, stall]);
    expect(stalled.tracks.regression.running[0]?.stalled).toBe(true);
    expect(describeNote(stalled.recent.at(-1)!.note)).toBe(
      'EURUSD 2024-07: stalled, no event for 61 s (worker 7)',
    );
    const moved = run([
      ...start,
      stall,
      w(62_500, 'regression', 7, { type: 'stage', unit: 'eurusd/2024-07', stage: 'write' }),
    ]);
    expect(moved.tracks.regression.running[0]?.stalled).toBe(false);
  });

  it('finds stalls past the threshold, once, and none in a paused track', () => {
    const start = run([
      planned(),
      w(1_000, 'regression', 7, { type: 'unit_start', unit: 'eurusd/2024-07', attempt: 1 }),
    ]);
    expect(findStalls(start, 60_000)).toEqual([]);
    const found = findStalls(start, 62_000);
    expect(found).toEqual([
      { track: 'regression', unit: 'eurusd/2024-07', pid: 7, silentMs: 61_000 },
    ]);
    const flagged = reduce(start, { type: 'unit_stalled', at: 62_000, ...found[0]! });
    expect(findStalls(flagged, 90_000)).toEqual([]);
    const paused = reduce(start, {
      type: 'track_state',
      at: 2_000,
      track: 'regression',
      status: 'paused',
      reason: 'paused',
    });
    expect(findStalls(paused, 90_000)).toEqual([]);
  });

  it('ETA comes from measured throughput, none before the first finish', () => {
    const before = run([planned(), { type: 'child_started', at: 0, track: 'bollinger', pid: 5 }]);
    expect(trackEta({ ...before, now: 10_000 }, 'bollinger')).toBeUndefined();
    const after = run([
      planned(),
      { type: 'child_started', at: 0, track: 'bollinger', pid: 5 },
      w(10_000, 'bollinger', 5, {
        type: 'unit_done',
        unit: 'eurusd/2024-07',
        rows: 1,
        bytes: 1,
        ms: 1,
      }),
      { type: 'tick', at: 10_000 },
    ]);
    // 1 unit in 10 s, 6 units left (10 − 2 done − 1 no data − 1 now).
    expect(trackEta(after, 'bollinger')).toBeCloseTo(60, 6);
    expect(snapshot(after).tracks[0]).toMatchObject({
      track: 'bollinger',
      etaSeconds: 60,
      remaining: 6,
    });
  });

  it('keeps the pace a track finished at while the other tracks go on', () => {
    const done = (at: number, unit: string) =>
      w(at, 'extraction', 9, { type: 'unit_done', unit, rows: 1000, bytes: 1, ms: 1 });
    const s = run([
      planned(),
      { type: 'child_started', at: 0, track: 'extraction', pid: 9 },
      done(5_000, 'eurusd'),
      done(10_000, 'gbpusd'),
      { type: 'tick', at: 60_000 },
    ]);
    // 2 units in the 10 s it ran, not 2 in the 60 s the run has lasted.
    expect(trackThroughput(s.tracks.extraction, s.now)).toEqual({
      unitsPerSec: 0.2,
      rowsPerSec: 200,
    });
    // A track still running is measured up to now.
    expect(trackThroughput(s.tracks.bollinger, s.now)).toBeUndefined();
  });

  it('counts what this run did apart from what earlier runs finished', () => {
    const s = run([
      planned(),
      w(1, 'bollinger', 5, {
        type: 'unit_done',
        unit: 'eurusd/2024-07',
        rows: 10,
        bytes: 7,
        ms: 1,
      }),
      w(2, 'bollinger', 5, { type: 'unit_empty', unit: 'eurusd/2024-10', reason: 'no rows' }),
      w(3, 'regression', 6, {
        type: 'unit_done',
        unit: 'eurusd/2024-07',
        rows: 9,
        bytes: 5,
        ms: 1,
      }),
      w(4, 'regression', 6, {
        type: 'unit_failed',
        unit: 'eurusd/2024-08',
        code: '23514',
        message: 'check',
        attempt: 3,
      }),
    ]);
    // Bollinger: 2 done and 1 no data were from earlier runs.
    expect(s.tracks.bollinger).toMatchObject({ done: 3, noData: 2, rows: 510 });
    expect(s.tracks.bollinger.thisRun).toEqual({
      done: 1,
      noData: 1,
      failed: 0,
      rows: 10,
      bytes: 7,
    });
    const snap = snapshot(s);
    expect(snap.tracks[0]!.thisRun).toEqual({
      done: 1,
      noData: 1,
      failed: 0,
      rows: 10,
      bytes: 7,
      partitions: 1,
    });
    expect(snap.tracks[1]!.thisRun).toMatchObject({ done: 1, failed: 1, partitions: 2 });
    expect(snap.tracks[2]!.thisRun).toEqual({
      done: 0,
      noData: 0,
      failed: 0,
      rows: 0,
      bytes: 0,
      files: 0,
    });
    expect(thisRunTotals(s)).toEqual({
      done: 2,
      noData: 1,
      failed: 1,
      rows: 19,
      bytes: 12,
      partitions: 3,
      files: 0,
    });
  });

  it('counts paused time neither as unit time nor as working time', () => {
    const paused = (at: number): RunEvent => ({
      type: 'track_state',
      at,
      track: 'regression',
      status: 'paused',
      reason: 'paused',
    });
    const resumed = (at: number): RunEvent => ({
      type: 'track_state',
      at,
      track: 'regression',
      status: 'running',
      reason: 'resumed',
    });
    const base = [
      planned(),
      { type: 'child_started', at: 0, track: 'regression', pid: 6 } as RunEvent,
      w(0, 'regression', 6, { type: 'unit_start', unit: 'eurusd/2024-07', attempt: 1 }),
      paused(1_000),
    ];
    const during = run([...base, { type: 'tick', at: 31_000 }]);
    const t1 = during.tracks.regression;
    expect(unitActiveMs(t1, t1.running[0]!, during.now)).toBe(1_000);
    const after = run([...base, resumed(61_000), { type: 'tick', at: 62_000 }]);
    const t2 = after.tracks.regression;
    expect(unitActiveMs(t2, t2.running[0]!, after.now)).toBe(2_000);
    const done = run([
      ...base,
      resumed(61_000),
      w(63_000, 'regression', 6, {
        type: 'unit_done',
        unit: 'eurusd/2024-07',
        rows: 1,
        bytes: 1,
        ms: 3_000,
      }),
    ]);
    // One unit in the 3 s the track worked, not in the 63 s that passed.
    expect(trackThroughput(done.tracks.regression, done.now)?.unitsPerSec).toBeCloseTo(1 / 3, 6);
  });

  it("counts no worker process once the run has ended (the last sample's have exited)", () => {
    const sample = {
      loadAvg: [1, 1, 1] as const,
      cores: 2,
      cpu: 50,
      perCore: [50, 50],
      memUsedBytes: 1,
      memTotalBytes: 2,
      disks: [],
      workers: [{ track: 'bollinger' as const, pid: 7, cpu: 40, rssBytes: 1e8 }],
    };
    const live = run([planned(), { type: 'system_sample', at: 1, sample }]);
    expect(live.system?.workers).toHaveLength(1);
    const ended = reduce(live, { type: 'run_finished', at: 2, status: 'complete', exitCode: 0 });
    expect(ended.system).toEqual({ ...sample, workers: [] });
  });

  it('keeps a bounded list of recent events and counts every one noted', () => {
    const many: RunEvent[] = Array.from({ length: 250 }, (_, i) => ({
      type: 'track_control',
      at: i,
      track: 'bollinger',
      action: 'note',
      message: `note ${i}`,
    }));
    const s = run([planned(), ...many]);
    expect(s.recent).toHaveLength(RECENT_LIMIT);
    expect(s.noted).toBe(many.length + 1);
    expect(describeNote(s.recent.at(-1)!.note)).toBe('note 249');
  });

  it("keeps the workers' output (stages, printed lines) bounded and out of the recent events", () => {
    const n = OUTPUT_LIMIT + 50;
    const many: RunEvent[] = Array.from({ length: n }, (_, i) =>
      i % 2 === 0
        ? {
            type: 'worker_log',
            at: i,
            track: 'regression',
            pid: 7,
            stream: 'stderr',
            text: `line ${i}`,
          }
        : w(i, 'regression', 7, {
            type: 'stage',
            unit: 'eurusd/2024-08',
            stage: 'compute',
            detail: `idx w${i}`,
          }),
    );
    const s = run([planned(), ...many]);
    expect(s.output).toHaveLength(OUTPUT_LIMIT);
    expect(s.outputNoted).toBe(n);
    expect(s.recent.map((r) => r.note.kind)).toEqual(['run_planned']);
    const last = s.output.at(-1)!;
    expect(last).toMatchObject({ track: 'regression', pid: 7 });
    expect(describeNote(last.note)).toBe(`EURUSD 2024-08: computing idx w${n - 1}`);
    expect(describeNote(s.output.at(-2)!.note)).toBe(`line ${n - 2}`);
  });

  it('counts a retried unit failed no more, and its next end once', () => {
    const failed = (at: number) =>
      w(at, 'regression', 5, {
        type: 'unit_failed',
        unit: 'eurusd/2024-07',
        attempt: 1,
        code: '23514',
        message: 'check',
      });
    const base = [{ ...planned(), maxAttempts: 1 }, failed(1)];
    const before = run(base);
    expect(before.tracks.regression).toMatchObject({ failed: 1, failedUnits: ['eurusd/2024-07'] });
    expect(before.tracks.regression.thisRun.failed).toBe(1);
    const after = run([
      ...base,
      { type: 'units_retried', at: 2, track: 'regression', units: ['eurusd/2024-07'] },
    ]);
    expect(after.tracks.regression).toMatchObject({ failed: 0, failedUnits: [] });
    expect(after.tracks.regression.thisRun.failed).toBe(0);
    const doneAgain = run([
      ...base,
      { type: 'units_retried', at: 2, track: 'regression', units: ['eurusd/2024-07'] },
      w(3, 'regression', 5, { type: 'unit_start', unit: 'eurusd/2024-07', attempt: 1 }),
      w(4, 'regression', 5, {
        type: 'unit_done',
        unit: 'eurusd/2024-07',
        rows: 10,
        bytes: 100,
        ms: 1,
      }),
    ]);
    expect(doneAgain.tracks.regression.thisRun).toMatchObject({ done: 1, failed: 0 });
    // A retry of units that did not fail changes nothing.
    const none = run([
      ...base,
      { type: 'units_retried', at: 2, track: 'regression', units: ['usdjpy/2024-07'] },
    ]);
    expect(none.tracks.regression.failed).toBe(1);
  });

  it("records a track's live worker limit and gives it to the ETA's scheduler", () => {
    const s = run([
      planned(),
      {
        type: 'run_history',
        at: 1,
        tracks: {
          bollinger: { todo: [], doneMs: null, emptyMs: null, emptyShare: 0 },
          regression: { todo: [], doneMs: null, emptyMs: null, emptyShare: 0 },
          extraction: { todo: [], doneMs: null, emptyMs: null, emptyShare: 0 },
        },
        budget: { budget: 4, caps: { bollinger: 1, regression: 1, extraction: 1 } },
      },
      { type: 'track_workers', at: 2, track: 'regression', workers: 2 },
    ]);
    expect(s.tracks.regression.plannedWorkers).toBe(2);
    expect(s.budget?.caps.regression).toBe(2);
    expect(snapshot(s).tracks[1]).toMatchObject({ track: 'regression', plannedWorkers: 2 });
  });

  it('does not change the state it is given', () => {
    const s0 = run([planned()]);
    const copy = JSON.stringify(snapshot(s0));
    reduce(
      s0,
      w(5, 'extraction', 9, { type: 'unit_done', unit: 'eurusd', rows: 10, bytes: 1, ms: 1 }),
    );
    expect(JSON.stringify(snapshot(s0))).toBe(copy);
  });
});

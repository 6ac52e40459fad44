import { describe, expect, it } from 'vitest';
import type { RunRecord } from '../../../src/orchestrator/live/runRecord.js';
import { assembleStatus, formatStatus } from '../../../src/orchestrator/report/runStatus.js';
import type { StatusFacts } from '../../../src/orchestrator/report/statusFacts.js';
import { initialState, reduce } from '../../../src/orchestrator/state/runState.js';
import { snapshot } from '../../../src/orchestrator/state/snapshot.js';
import { workerEvent } from '../../support/runEvents.js';

const t0 = Date.parse('2026-12-01T12:00:00Z');
const run: RunRecord = {
  runId: '20261201-120000-abcd',
  startedAt: new Date(t0),
  finishedAt: null,
  status: 'running',
  phase: 'running',
  host: 'vm',
  pid: 100,
  backendPid: 4242,
  heartbeatAt: new Date(t0 + 5000),
  exitCode: null,
  message: null,
  logFile: null,
  resumedFrom: null,
  units: {},
};

/** A recompute of Track 2: 9 units, 4 done by this run, one running and stalled, 4 queued. */
function recomputeSnapshot(stale?: number) {
  let s = reduce(initialState(t0), {
    type: 'run_planned',
    at: t0,
    runId: run.runId,
    maxAttempts: 3,
    stallMs: 60_000,
    tracks: [
      { track: 'bollinger', total: 12, done: 9, empty: 3, rows: 0, workers: 0 },
      {
        track: 'regression',
        total: 9,
        done: 0,
        empty: 0,
        rows: 0,
        workers: 1,
        ...(stale === undefined ? {} : { stale }),
      },
      { track: 'extraction', total: 3, done: 0, empty: 0, rows: 0, workers: 1 },
    ],
  });
  s = reduce(s, {
    type: 'track_state',
    at: t0,
    track: 'regression',
    status: 'running',
    reason: 'started',
  });
  const months = ['2024-07', '2024-08', '2024-09', '2024-10'];
  for (const [i, m] of months.entries())
    s = reduce(
      s,
      workerEvent(t0 + i, 'regression', 7, {
        type: 'unit_done',
        unit: `eurusd/${m}`,
        rows: 1,
        bytes: 1,
        ms: 1,
      }),
    );
  s = reduce(
    s,
    workerEvent(t0 + 10, 'regression', 7, {
      type: 'unit_start',
      unit: 'gbpusd/2024-07',
      attempt: 1,
    }),
  );
  s = reduce(s, {
    type: 'unit_stalled',
    at: t0 + 70_000,
    track: 'regression',
    unit: 'gbpusd/2024-07',
    pid: 7,
    silentMs: 69_990,
  });
  s = reduce(s, {
    type: 'track_state',
    at: t0 + 70_001,
    track: 'extraction',
    status: 'failed',
    reason: 'gave up',
  });
  return snapshot(s);
}

function facts(over: Partial<StatusFacts> = {}): StatusFacts {
  const job = (unit: string, lockedBy: string | null) => ({
    task: 'bqx_regression',
    key: `regression:${unit}`,
    lockedBy,
    lockedAt: lockedBy ? new Date(t0 + 10) : null,
  });
  return {
    run,
    liveness: { kind: 'live' },
    snapshot: recomputeSnapshot(),
    outcomes: new Map(),
    jobs: [
      job('gbpusd/2024-07', 'pool-a'),
      job('gbpusd/2024-08', null),
      job('gbpusd/2024-09', null),
      job('usdjpy/2024-07', null),
      job('usdjpy/2024-08', 'dead-pool'),
    ],
    workers: [
      { workerId: 'pool-a', track: 'regression', host: 'vm', pid: 7, silentSeconds: 3 },
      { workerId: 'worker-a', track: 'regression', host: 'vm', pid: 7, silentSeconds: 3 },
      { workerId: 'dead-pool', track: 'regression', host: 'vm', pid: 8, silentSeconds: 4 },
      { workerId: 'far', track: 'bollinger', host: 'other', pid: 9, silentSeconds: 95 },
    ],
    deadAfterSeconds: 30,
    host: 'vm',
    ...over,
  };
}

const alive = (pid: number) => pid === 7;

describe('status', () => {
  it("counts from the supervisor's state: a recompute is 4/9, not 9/9 beside 4 queued", () => {
    const r = assembleStatus(facts(), alive);
    const t2 = r.tracks.find((t) => t.track === 'regression')!;
    expect(t2).toMatchObject({ total: 9, done: 4, failed: 0, status: 'running' });
    expect(t2.thisRun).toMatchObject({ done: 4, partitions: 8 });
    // The dead worker's unit is queued again, not "running".
    expect(t2.queued).toBe(4);
    expect(t2.running.map((u) => [u.unit, u.worker, u.stalled])).toEqual([
      ['gbpusd/2024-07', 'vm:7', true],
    ]);
  });

  it('counts the stale units of a track, and says nothing of them when there are none', () => {
    const stale = 2;
    const r = assembleStatus(facts({ snapshot: recomputeSnapshot(stale) }), alive);
    expect(r.tracks.find((t) => t.track === 'regression')?.stale).toBe(stale);
    const lines = formatStatus(r).split('\n');
    expect(lines.find((l) => l.startsWith('regression'))).toContain(`no data 0, stale ${stale},`);
    expect(lines.find((l) => l.startsWith('bollinger'))).not.toContain('stale');
    expect(formatStatus(assembleStatus(facts(), alive))).not.toContain('stale');
  });

  it('lists each live worker process once, and no dead or silent one', () => {
    const r = assembleStatus(facts(), alive);
    expect(r.workers).toEqual([
      { track: 'regression', host: 'vm', pid: 7, heartbeatAgeSeconds: 3 },
    ]);
  });

  it('shows a track that gave up as FAILED, and a stall as STALLED', () => {
    const r = assembleStatus(facts(), alive);
    expect(r.tracks.find((t) => t.track === 'extraction')?.status).toBe('failed');
    const text = formatStatus(r);
    expect(text).toMatch(/extraction\s+FAILED/);
    expect(text).toContain('STALLED gbpusd/2024-07 on vm:7');
    expect(text).toContain('1 live worker(s) (vm: 1)');
  });

  it('writes its times as runs and report do: UTC to the second', () => {
    const text = formatStatus(assembleStatus(facts(), alive));
    expect(text).toContain('started 2026-12-01 12:00:00Z');
    expect(text).not.toMatch(/\d{4}-\d\d-\d\dT/);
  });

  it('says a run whose supervisor is gone stopped unexpectedly', () => {
    const r = assembleStatus(facts({ liveness: { kind: 'lost', why: 'gone' } }), alive);
    expect(r.run).toMatchObject({ status: 'stopped unexpectedly', live: false });
  });

  it('counts from the ledger for a run recorded without a snapshot', () => {
    const r = assembleStatus(
      facts({
        snapshot: undefined,
        run: { ...run, units: { bollinger: ['eurusd/2024-07', 'eurusd/2024-08'] } },
        outcomes: new Map([['bollinger:eurusd/2024-07', { status: 'done', rows: 5, error: null }]]),
      }),
      alive,
    );
    expect(r.tracks[0]).toMatchObject({ track: 'bollinger', total: 2, done: 1, rows: 5 });
  });
});

describe('status: hosts', () => {
  it("lists each host's live workers per track (registry) beside what the run finished there (snapshot)", () => {
    const f = facts();
    const r = assembleStatus(
      {
        ...f,
        workers: [
          ...f.workers,
          { workerId: 'o-pool', track: 'bollinger', host: 'other-host', pid: 9, silentSeconds: 2 },
          { workerId: 'o-w', track: 'bollinger', host: 'other-host', pid: 9, silentSeconds: 2 },
        ],
      },
      alive,
    );
    // The snapshot's units were reported by host "h" (test/support/runEvents.ts).
    const fromSnapshot = f.snapshot!.hosts.find((h) => h.host === 'h')!;
    expect(r.hosts).toEqual([
      {
        host: 'vm',
        workers: { bollinger: 0, regression: 1, extraction: 0 },
        done: 0,
        noData: 0,
        failed: 0,
        unitsPerSec: null,
      },
      {
        host: 'h',
        workers: { bollinger: 0, regression: 0, extraction: 0 },
        done: fromSnapshot.done,
        noData: 0,
        failed: 0,
        unitsPerSec: fromSnapshot.unitsPerSec,
      },
      {
        host: 'other-host',
        workers: { bollinger: 1, regression: 0, extraction: 0 },
        done: 0,
        noData: 0,
        failed: 0,
        unitsPerSec: null,
      },
    ]);
    expect(fromSnapshot.done).toBe(4);
    expect(formatStatus(r)).toContain(`hosts: vm (T2 1) 0 done · h (no workers) 4 done`);
    expect(formatStatus(r)).toMatch(/ · other-host \(T1 1\) 0 done$/m);
  });
});

describe('status of an ended run', () => {
  /** Track 2 did 4 units in 4 s; the run stopped at 4 s; `after` ms later a view took its snapshot. */
  function endedSnapshot(after: number) {
    let s = reduce(initialState(t0), {
      type: 'run_planned',
      at: t0,
      runId: run.runId,
      maxAttempts: 3,
      stallMs: 60_000,
      tracks: [
        { track: 'bollinger', total: 12, done: 0, empty: 0, rows: 0, workers: 1 },
        { track: 'regression', total: 9, done: 0, empty: 0, rows: 0, workers: 1 },
        { track: 'extraction', total: 3, done: 0, empty: 0, rows: 0, workers: 1 },
      ],
    });
    s = reduce(s, { type: 'child_started', at: t0, track: 'regression', pid: 7 });
    for (const i of [1, 2, 3, 4])
      s = reduce(
        s,
        workerEvent(t0 + i * 1000, 'regression', 7, {
          type: 'unit_done',
          unit: `eurusd/2024-0${i}`,
          rows: 1,
          bytes: 1,
          ms: 1000,
        }),
      );
    const end = t0 + 4000;
    s = reduce(s, { type: 'run_finished', at: end, status: 'interrupted', exitCode: 130 });
    for (let at = end + 1000; at <= end + after; at += 1000) s = reduce(s, { type: 'tick', at });
    return snapshot(s);
  }

  const ended = (after: number): StatusFacts =>
    facts({
      run: { ...run, status: 'interrupted', finishedAt: new Date(t0 + 4000), exitCode: 130 },
      liveness: undefined,
      snapshot: endedSnapshot(after),
      jobs: [],
      workers: [],
    });

  it('shows the figures of its end however long after it is asked', () => {
    const atEnd = assembleStatus(ended(0), alive);
    const later = assembleStatus(ended(30_000), alive);
    expect(later).toEqual(atEnd);
    expect(formatStatus(later)).toBe(formatStatus(atEnd));
    // `status --json` carries the snapshot's figures: the end's, 4 units over 4 s.
    const snap = endedSnapshot(30_000);
    expect(snap).toEqual(endedSnapshot(0));
    expect(snap.elapsedSeconds).toBe(4);
    expect(snap.tracks[1]!.unitsPerSec).toBe(1);
    // The host's clock starts at its first unit seen (its first end here, at 1 s).
    expect(later.hosts.find((h) => h.host === 'h')?.unitsPerSec).toBeCloseTo(4 / 3, 3);
  });
});

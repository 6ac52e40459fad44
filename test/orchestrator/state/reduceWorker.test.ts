import { describe, expect, it } from 'vitest';
import type { RunEvent } from '../../../src/orchestrator/state/events.js';
import { onUnitsRetried, onWorkerEvent } from '../../../src/orchestrator/state/reduceWorker.js';
import {
  initialState,
  type RunState,
  reduce,
  type UnitOutcome,
} from '../../../src/orchestrator/state/runState.js';
import type { EventBody } from '../../../src/tracks/protocol/emit.js';
import { workerEvent } from '../../support/runEvents.js';

type WorkerEv = Extract<RunEvent, { type: 'worker_event' }>;

const UNIT = 'eurusd/2024-07';

/** A worker event of Track 2's worker 7 (of host `h`), as the supervisor dispatches it. */
const ev = (at: number, body: EventBody, o: { host?: string; remote?: boolean } = {}) =>
  workerEvent(at, 'regression', 7, body, o) as WorkerEv;

/** A planned run (3 attempts a unit) whose Track 2 worker 7 started at 100 and runs UNIT from 1,000. */
function running(o: { remote?: boolean } = {}): RunState {
  const events: RunEvent[] = [
    {
      type: 'run_planned',
      at: 0,
      runId: 'r',
      maxAttempts: 3,
      stallMs: 60_000,
      tracks: [
        { track: 'bollinger', total: 1, done: 0, empty: 0, rows: 0, workers: 1 },
        { track: 'regression', total: 4, done: 1, empty: 1, rows: 50, workers: 1 },
        { track: 'extraction', total: 1, done: 0, empty: 0, rows: 0, workers: 1 },
      ],
    },
    { type: 'child_started', at: 100, track: 'regression', pid: 7 },
  ];
  const s = events.reduce(reduce, initialState(0));
  return onWorkerEvent(s, ev(1000, { type: 'unit_start', unit: UNIT, attempt: 1 }, o));
}

describe('a worker event folded into the state', () => {
  it('a unit start runs the unit, starts the track, times the worker start, and is output', () => {
    const s = running();
    const t = s.tracks.regression;
    expect(t.running).toEqual([
      {
        unit: UNIT,
        pid: 7,
        host: 'h',
        remote: false,
        attempt: 1,
        activity: undefined,
        startedAt: 1000,
        pausedMs: 0,
        lastEventAt: 1000,
        stalled: false,
      },
    ]);
    expect(t.startedAt).toBe(100);
    expect(s.startups).toEqual([900]);
    expect(s.starting).toEqual({});
    expect(s.hosts.h).toMatchObject({ since: 1000, done: 0 });
    expect(s.output.at(-1)).toMatchObject({ at: 1000, track: 'regression', pid: 7 });
    expect(s.output.at(-1)!.note).toEqual({ kind: 'unit_started', unit: UNIT, attempt: 1 });
    expect(s.recent.at(-1)!.note.kind).toBe('run_planned');
  });

  it('a retry of a running unit replaces its earlier attempt', () => {
    const s = onWorkerEvent(running(), ev(2000, { type: 'unit_start', unit: UNIT, attempt: 2 }));
    expect(s.tracks.regression.running.map((r) => [r.unit, r.attempt])).toEqual([[UNIT, 2]]);
  });

  it('a stage sets what the unit does and restarts its stall clock', () => {
    const stalled = reduce(running(), {
      type: 'unit_stalled',
      at: 5000,
      track: 'regression',
      unit: UNIT,
      pid: 7,
      silentMs: 4000,
    });
    const s = onWorkerEvent(
      stalled,
      ev(6000, { type: 'stage', unit: UNIT, stage: 'write', rows: 5, total: 9 }),
    );
    expect(s.tracks.regression.running[0]).toMatchObject({
      activity: { stage: 'write', detail: undefined, rows: 5, total: 9 },
      lastEventAt: 6000,
      stalled: false,
    });
    expect(s.output.at(-1)!.note).toMatchObject({ kind: 'stage', unit: UNIT, stage: 'write' });
  });

  it.each<{
    name: string;
    body: EventBody;
    outcome: UnitOutcome;
    rows: number;
    timing: number | undefined;
    level: string;
    note: string;
  }>([
    {
      name: 'done',
      body: { type: 'unit_done', unit: UNIT, rows: 10, bytes: 70, ms: 2500 },
      outcome: 'done',
      rows: 10,
      timing: 2500,
      level: 'info',
      note: 'unit_done',
    },
    {
      name: 'with no data (the protocol says empty)',
      body: { type: 'unit_empty', unit: UNIT, reason: 'no rows' },
      outcome: 'noData',
      rows: 0,
      timing: 3000,
      level: 'info',
      note: 'unit_no_data',
    },
    {
      name: 'failed on its last attempt',
      body: { type: 'unit_failed', unit: UNIT, code: 'X', message: 'm', attempt: 3 },
      outcome: 'failed',
      rows: 0,
      timing: undefined,
      level: 'error',
      note: 'unit_failed',
    },
  ])('a unit that ended $name is counted once, on its track and its host', (c) => {
    const before = running();
    const s = onWorkerEvent(before, ev(4000, c.body));
    const t = s.tracks.regression;
    const was = before.tracks.regression;
    expect(t.running).toEqual([]);
    expect(t[c.outcome]).toBe(was[c.outcome] + 1);
    expect(t.thisRun[c.outcome]).toBe(1);
    expect(t.rows).toBe(was.rows + c.rows);
    expect(t.timings).toEqual(c.timing === undefined ? [] : [{ unit: UNIT, ms: c.timing }]);
    expect(t.failedUnits).toEqual(c.outcome === 'failed' ? [UNIT] : []);
    expect(t.lastFinished?.kind).toBe(c.note);
    expect(s.hosts.h![c.outcome]).toBe(1);
    expect(s.recent.at(-1)).toMatchObject({ level: c.level, track: 'regression', pid: 7 });
    // Reported again (its job retried after its worker was presumed dead): counted once.
    const again = onWorkerEvent(s, ev(5000, c.body));
    expect(again.tracks.regression[c.outcome]).toBe(t[c.outcome]);
    expect(again.hosts.h).toEqual(s.hosts.h);
    expect(again.noted).toBe(s.noted);
  });

  it('a failed attempt before the last is a retry: the unit leaves, nothing is counted', () => {
    const s = onWorkerEvent(
      running(),
      ev(4000, { type: 'unit_failed', unit: UNIT, code: 'X', message: 'm', attempt: 1 }),
    );
    const t = s.tracks.regression;
    expect(t).toMatchObject({ running: [], retries: 1, failed: 0, failedUnits: [] });
    expect(s.recent.at(-1)).toMatchObject({ level: 'warn' });
    expect(s.recent.at(-1)!.note).toMatchObject({ kind: 'unit_failed', final: false });
  });

  it('an interrupted unit leaves the running list, noted as a warning, counted nowhere', () => {
    const s = onWorkerEvent(
      running(),
      ev(4000, { type: 'unit_interrupted', unit: UNIT, reason: 'database lost' }),
    );
    expect(s.tracks.regression).toMatchObject({ running: [], done: 1, noData: 1, failed: 0 });
    expect(s.recent.at(-1)!.note).toEqual({
      kind: 'unit_interrupted',
      unit: UNIT,
      reason: 'database lost',
    });
  });

  it("names another host's worker by its host, and does not take it for a child", () => {
    const s = running({ remote: true });
    expect(s.startups).toEqual([]);
    expect(s.tracks.regression.running[0]).toMatchObject({ remote: true, host: 'h' });
    expect(s.output.at(-1)!.host).toBe('h');
    const local = running();
    expect(local.output.at(-1)!.host).toBeUndefined();
  });

  it("a worker's start and exit change nothing; a warning is noted", () => {
    const s = running();
    expect(onWorkerEvent(s, ev(2000, { type: 'worker_start' }))).toBe(s);
    const warned = onWorkerEvent(
      s,
      ev(2000, { type: 'warning', unit: UNIT, code: 'gap', message: 'a gap', count: 2 }),
    );
    expect(warned.tracks).toBe(s.tracks);
    expect(warned.recent.at(-1)).toMatchObject({ level: 'warn' });
    expect(warned.recent.at(-1)!.note).toEqual({
      kind: 'warning',
      unit: UNIT,
      code: 'gap',
      message: 'a gap',
      count: 2,
    });
  });
});

describe('units given back to the queue (R)', () => {
  it('count failed no more, and only those this run counted failed', () => {
    const failed = onWorkerEvent(
      running(),
      ev(4000, { type: 'unit_failed', unit: UNIT, code: 'X', message: 'm', attempt: 3 }),
    );
    const s = onUnitsRetried(failed, {
      type: 'units_retried',
      at: 5000,
      track: 'regression',
      units: [UNIT, 'gbpusd/2024-07'],
    });
    expect(s.tracks.regression).toMatchObject({ failed: 0, failedUnits: [] });
    expect(s.tracks.regression.thisRun.failed).toBe(0);
    expect(s.tracks.regression.finishedUnits.has(UNIT)).toBe(false);
  });
});

import { afterEach, describe, expect, it } from 'vitest';
import type { RunEvent } from '../../src/orchestrator/state/events.js';
import type { RunFeed } from '../../src/ui/useRunFeed.js';
import { liveFeed, recorder, showDashboard, unmountAll, until } from '../support/dashboard.js';
import { workerEvent as ev } from '../support/runEvents.js';

const T0 = Date.parse('2026-11-25T10:00:00Z');

/** Track 2 with two workers: 12 runs EURUSD 2024-08; 14 ran one unit and exited. */
function twoWorkers(): RunEvent[] {
  return [
    {
      type: 'run_planned',
      at: T0,
      runId: '20261125-100000-abcd',
      maxAttempts: 3,
      stallMs: 60_000,
      tracks: [
        { track: 'bollinger', total: 6, done: 0, empty: 0, rows: 0, workers: 1 },
        { track: 'regression', total: 4, done: 0, empty: 0, rows: 0, workers: 2 },
        { track: 'extraction', total: 2, done: 0, empty: 0, rows: 0, workers: 1 },
      ],
    },
    { type: 'child_started', at: T0, track: 'regression', pid: 12 },
    { type: 'child_started', at: T0, track: 'regression', pid: 14 },
    { type: 'track_state', at: T0, track: 'regression', status: 'running', reason: 'started' },
    ev(T0 + 100, 'regression', 14, { type: 'unit_start', unit: 'usdjpy/2024-07', attempt: 1 }),
    {
      type: 'worker_log',
      at: T0 + 150,
      track: 'regression',
      pid: 14,
      stream: 'stderr',
      text: 'queue warning: slow poll',
    },
    ev(T0 + 200, 'regression', 14, {
      type: 'unit_done',
      unit: 'usdjpy/2024-07',
      rows: 10,
      bytes: 100,
      ms: 100,
    }),
    {
      type: 'child_exited',
      at: T0 + 300,
      track: 'regression',
      pid: 14,
      code: 0,
      signal: null,
      expected: true,
    },
    ev(T0 + 400, 'regression', 12, { type: 'unit_start', unit: 'eurusd/2024-08', attempt: 1 }),
  ];
}

afterEach(unmountAll);

function show(feed: RunFeed, columns = 100) {
  const { calls, controls } = recorder();
  const r = showDashboard({
    feed,
    controls,
    database: 'postgres://bqx:****@db.example/bqx',
    columns,
    rows: 30,
  });
  const press = async (key: string, then: () => void) => {
    r.stdin.write(key);
    await until(then);
  };
  return { calls, frame: r.frame, until, press };
}

describe("the track log: its workers' live output", () => {
  it("shows a running unit's stages as they come, one line per progressing stage", async () => {
    const feed = liveFeed(twoWorkers(), T0);
    const v = show(feed);
    await v.until(() => expect(v.frame()).toContain('[RUNNING]'));
    await v.press('j', () => expect(v.frame()).toMatch(/▶ Track 2/));
    await v.press('l', () => expect(v.frame()).toContain('Track 2 Regression log, all workers'));
    const stage = (at: number, body: Record<string, unknown>) =>
      feed.push(
        ev(at, 'regression', 12, {
          type: 'stage',
          unit: 'eurusd/2024-08',
          ...body,
        } as Parameters<typeof ev>[3]),
      );
    stage(T0 + 500, { stage: 'compute', detail: 'idx w45', rows: 30_000 });
    await v.until(() => expect(v.frame()).toContain('EURUSD 2024-08: computing idx w45'));
    stage(T0 + 600, { stage: 'write', rows: 60_000, total: 370_000 });
    stage(T0 + 700, { stage: 'write', rows: 120_000, total: 370_000 });
    await v.until(() =>
      expect(v.frame()).toContain('EURUSD 2024-08: writing 120,000 / 370,000 rows'),
    );
    // The write's progress replaced its earlier line; the compute stage stays.
    expect(v.frame()).not.toContain('writing 60,000');
    expect(v.frame()).toContain('EURUSD 2024-08: computing idx w45');
    // Worker lines name their worker when the log shows them all.
    expect(v.frame()).toMatch(/\b12 EURUSD 2024-08: started/);
    expect(v.frame()).toMatch(/\b14 queue warning: slow poll/);
  });

  it('cycles through the workers with Tab (an exited one too), and filters within one', async () => {
    const v = show(liveFeed(twoWorkers(), T0));
    await v.until(() => expect(v.frame()).toContain('[RUNNING]'));
    await v.press('j', () => expect(v.frame()).toMatch(/▶ Track 2/));
    await v.press('l', () => expect(v.frame()).toContain('log, all workers'));
    await v.press('\t', () => expect(v.frame()).toContain('Track 2 Regression log, worker 12 —'));
    expect(v.frame()).toContain('EURUSD 2024-08: started');
    expect(v.frame()).not.toContain('USDJPY');
    await v.press('\t', () => expect(v.frame()).toContain('log, worker 14 (exited)'));
    expect(v.frame()).toContain('USDJPY 2024-07: complete');
    expect(v.frame()).toContain('queue warning: slow poll');
    expect(v.frame()).toContain('worker 14 exited (code 0)');
    expect(v.frame()).not.toContain('EURUSD');
    await v.press('/', () => expect(v.frame()).toMatch(/^\/$/m));
    await v.press('queue', () => expect(v.frame()).toMatch(/^\/queue$/m));
    await v.press('\r', () => expect(v.frame()).toContain('filter: queue'));
    expect(v.frame()).toContain('worker 14 (exited) — 1 line(s)');
    await v.press('\t', () => expect(v.frame()).toContain('log, all workers'));
    expect(v.frame()).toContain('— 1 line(s)');
  });

  it("tells another host's worker from ours of the same pid, and a live one from an exited one", async () => {
    const feed = liveFeed(
      [
        ...twoWorkers(),
        {
          type: 'remote_workers',
          at: T0 + 450,
          workers: [{ host: 'far', pid: 12, track: 'regression' }],
        },
        ev(
          T0 + 500,
          'regression',
          12,
          { type: 'unit_start', unit: 'gbpusd/2024-09', attempt: 1 },
          { host: 'far', remote: true },
        ),
        ev(
          T0 + 600,
          'regression',
          12,
          { type: 'stage', unit: 'gbpusd/2024-09', stage: 'compute', detail: 'idx w15' },
          { host: 'far', remote: true },
        ),
      ],
      T0,
    );
    const v = show(feed);
    await v.until(() => expect(v.frame()).toContain('[RUNNING]'));
    await v.press('j', () => expect(v.frame()).toMatch(/▶ Track 2/));
    await v.press('l', () => expect(v.frame()).toContain('log, all workers'));
    expect(v.frame()).toMatch(/far:12 GBPUSD 2024-09: computing idx w15/);
    expect(v.frame()).toMatch(/\b12 EURUSD 2024-08: started/);
    // One column for the worker, as wide as its widest name: the lines' text aligns.
    const lines = v.frame().split('\n');
    const column = (text: string) => lines.find((l) => l.includes(text))!.indexOf(text);
    expect(column('GBPUSD 2024-09: computing')).toBe(column('EURUSD 2024-08: started'));
    await v.press('\t', () => expect(v.frame()).toContain('log, worker 12 —'));
    expect(v.frame()).not.toContain('GBPUSD');
    await v.press('\t', () => expect(v.frame()).toContain('log, worker 14 (exited)'));
    await v.press('\t', () => expect(v.frame()).toContain('log, worker far:12 —'));
    expect(v.frame()).toContain('GBPUSD 2024-09: computing idx w15');
    expect(v.frame()).not.toContain('EURUSD');
    // It leaves the registry: exited, its lines kept.
    feed.push({ type: 'remote_workers', at: T0 + 700, workers: [] });
    await v.until(() => expect(v.frame()).toContain('log, worker far:12 (exited)'));
    expect(v.frame()).toContain('GBPUSD 2024-09: started');
  });

  it("keeps the main screen's recent events free of stage lines", async () => {
    const feed = liveFeed(twoWorkers(), T0);
    for (let i = 0; i < 40; i++)
      feed.push(
        ev(T0 + 500 + i, 'regression', 12, {
          type: 'stage',
          unit: 'eurusd/2024-08',
          stage: 'compute',
          detail: `idx w${i}`,
        }),
      );
    const v = show(feed, 160);
    await v.until(() => expect(v.frame()).toContain('[RUNNING]'));
    expect(v.frame()).toContain('USDJPY 2024-07: complete');
    // The running unit's line shows its latest stage; the events list none of them.
    expect(v.frame().match(/computing idx w\d+/g)).toEqual(['computing idx w39']);
  });
});

describe('keys that change the workers of the selected track', () => {
  it('+ and = add a worker, - removes one, R retries its failed units', async () => {
    const v = show(liveFeed(twoWorkers(), T0));
    await v.until(() => expect(v.frame()).toContain('[RUNNING]'));
    await v.press('+', () => expect(v.calls).toHaveLength(1));
    await v.press('j', () => expect(v.frame()).toMatch(/▶ Track 2/));
    await v.press('=', () => expect(v.calls).toHaveLength(2));
    await v.press('-', () => expect(v.calls).toHaveLength(3));
    await v.press('R', () => expect(v.calls).toHaveLength(4));
    expect(v.calls).toEqual([
      'add worker bollinger',
      'add worker regression',
      'remove worker regression',
      'retry regression',
    ]);
    // In the log, + and - are not controls: nothing is sent.
    await v.press('l', () => expect(v.frame()).toContain('log, all workers'));
    v.calls.length = 0;
    await v.press('-', () => expect(v.frame()).toContain('log, all workers'));
    expect(v.calls).toEqual([]);
  });
});

import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { WithPgClient } from '../../../src/db/connection/pool.js';
import { FeedPublisher, takeFeed } from '../../../src/orchestrator/live/workerFeed.js';
import { RemoteWorkers } from '../../../src/orchestrator/run/remoteWorkers.js';
import type { RunEvent } from '../../../src/orchestrator/state/events.js';
import {
  registerWorker,
  releaseDeadWorkers,
} from '../../../src/orchestrator/queue/workerRegistry.js';
import type { WorkerEvent } from '../../../src/tracks/protocol/events.js';
import { createTestDatabase, type TestDatabase } from '../../support/testDatabase.js';

let db: TestDatabase;
let withPgClient: WithPgClient;
beforeAll(async () => {
  db = await createTestDatabase();
  withPgClient = async (fn) => {
    const c = await db.pool.connect();
    try {
      return await fn(c);
    } finally {
      c.release();
    }
  };
});
afterAll(() => db.drop());

/** Marks the database's run live (the feed keeps events only then) or not. */
async function liveRun(live: boolean) {
  await db.pool.query(
    `INSERT INTO bqx_monitor.runs (run_id, status, host, pid) VALUES ('r1', $1, 'vm-1', 1)
     ON CONFLICT (run_id) DO UPDATE SET status = EXCLUDED.status`,
    [live ? 'running' : 'complete'],
  );
}

const HOST = 'other-host';
const ev = (body: Record<string, unknown>): WorkerEvent =>
  ({
    v: 1,
    ts: new Date().toISOString(),
    host: HOST,
    pid: 4242,
    track: 'regression',
    ...body,
  }) as WorkerEvent;
const stage = (rows: number) =>
  ev({ type: 'stage', unit: 'eurusd/2024-08', stage: 'write', rows, total: 100 });

describe('the worker feed', () => {
  it('keeps nothing while no run is live: nobody would take it', async () => {
    await liveRun(false);
    const feed = new FeedPublisher(withPgClient, 60_000);
    feed.push(ev({ type: 'worker_start' }));
    expect(await feed.flush()).toBe(true);
    await feed.close(Date.now());
    expect(await withPgClient((c) => takeFeed(c))).toEqual([]);
    await liveRun(true);
  });

  it("carries a worker's events in order, a unit's stages coalesced to the latest", async () => {
    // A long period: only the explicit flush writes.
    const feed = new FeedPublisher(withPgClient, 60_000);
    feed.push(ev({ type: 'unit_start', unit: 'eurusd/2024-08', attempt: 1 }));
    for (const rows of [10, 20, 30]) feed.push(stage(rows));
    expect(feed.backlog).toBe(2);
    expect(await feed.flush()).toBe(true);
    // A unit's end is written at once, without waiting for the period.
    feed.push(ev({ type: 'unit_done', unit: 'eurusd/2024-08', rows: 100, bytes: 1, ms: 5 }));
    await expect.poll(() => feed.backlog, { timeout: 10_000 }).toBe(0);
    await feed.close(Date.now());
    const taken = await withPgClient((c) => takeFeed(c));
    expect(taken.map((e) => [e.type, e.type === 'stage' ? e.rows : undefined])).toEqual([
      ['unit_start', undefined],
      ['stage', 30],
      ['unit_done', undefined],
    ]);
    // Taken once: the supervisor is its only reader.
    expect(await withPgClient((c) => takeFeed(c))).toEqual([]);
  });

  it('never throws while the database is away: the events wait and go once it is back', async () => {
    let away = true;
    const flaky: WithPgClient = (fn) =>
      away ? Promise.reject(new Error('connect ECONNREFUSED')) : withPgClient(fn);
    const feed = new FeedPublisher(flaky, 60_000);
    feed.push(ev({ type: 'unit_start', unit: 'eurusd/2024-09', attempt: 1 }));
    feed.push(ev({ type: 'unit_empty', unit: 'eurusd/2024-09', reason: 'none' }));
    expect(await feed.flush()).toBe(false);
    expect(feed.backlog).toBe(2);
    away = false;
    expect(await feed.flush()).toBe(true);
    await feed.close(Date.now());
    const taken = await withPgClient((c) => takeFeed(c));
    expect(taken.map((e) => e.type)).toEqual(['unit_start', 'unit_empty']);
  });

  it("the supervisor folds another host's events as remote, and lists its workers until their heartbeat runs out", async () => {
    const seen: RunEvent[] = [];
    const remote = new RemoteWorkers(withPgClient, 'vm-1', new Set([77]), (e) => seen.push(e));
    const feed = new FeedPublisher(withPgClient, 60_000);
    feed.push(ev({ type: 'worker_start' }));
    // Written before this run: dropped when it starts.
    expect(await feed.flush()).toBe(true);
    await remote.start();
    feed.push(ev({ type: 'unit_start', unit: 'eurusd/2024-10', attempt: 1 }));
    expect(await feed.flush()).toBe(true);
    await remote.readFeed();
    expect(seen).toEqual([
      expect.objectContaining({
        type: 'worker_event',
        pid: 4242,
        track: 'regression',
        remote: true,
      }),
    ]);
    // The registry: another host's worker, and one of the supervisor's own children.
    await withPgClient(async (c) => {
      await registerWorker(c, { workerId: 'far', track: 'regression', host: HOST, pid: 4242 });
      await registerWorker(c, { workerId: 'mine', track: 'bollinger', host: 'vm-1', pid: 77 });
    });
    seen.length = 0;
    await remote.poll();
    await remote.poll();
    expect(seen).toEqual([
      {
        type: 'remote_workers',
        at: expect.any(Number),
        workers: [{ host: HOST, pid: 4242, track: 'regression' }],
      },
    ]);
    // Killed, its machine gone: its heartbeat runs out and a worker's beat releases it
    // (silence counts from the server's start at the earliest: a timeout shorter than that).
    await withPgClient(async (c) => {
      await c.query(
        `UPDATE bqx_monitor.workers SET heartbeat_at = now() - interval '1 hour' WHERE worker_id = 'far'`,
      );
      const up = await c.query<{ ms: number }>(
        'SELECT (extract(epoch FROM now() - pg_postmaster_start_time()) * 1000)::float8 AS ms',
      );
      const released = await releaseDeadWorkers(c, { host: 'vm-1', timeoutMs: up.rows[0]!.ms / 2 });
      expect(released).toEqual(['far']);
    });
    await remote.poll();
    expect(seen.at(-1)).toMatchObject({ type: 'remote_workers', workers: [] });
  });
});

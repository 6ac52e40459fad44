import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createPool } from '../../../src/db/connection/pool.js';
import { migrateAll } from '../../../src/orchestrator/run/migrateAll.js';
import {
  FOLLOW_SILENT_MS,
  judgeFollow,
  liveFollows,
} from '../../../src/orchestrator/live/followRows.js';
import { holdFollowRow } from '../../../src/orchestrator/run/followPresence.js';
import { waitingLine } from '../../../src/orchestrator/text/waitingLine.js';
import { runCli } from '../../support/cli.js';
import { createTestDatabase, type TestDatabase } from '../../support/testDatabase.js';

describe('judgeFollow', () => {
  const alive = (pid: number) => pid === 1;
  it.each([
    ['this host, its process alive', 'here', 1, FOLLOW_SILENT_MS * 10, true],
    ['this host, its process gone', 'here', 2, 0, false],
    ['another host, beat a moment ago', 'there', 2, 1000, true],
    ['another host, silent past the bound', 'there', 1, FOLLOW_SILENT_MS, false],
  ] as const)('%s: live %j', (_why, host, pid, silentMs, live) => {
    expect(judgeFollow({ host, pid, silentMs }, 'here', alive)).toBe(live);
  });
});

describe('a follow on another host', { timeout: 120_000 }, () => {
  let db: TestDatabase;
  let pg: ReturnType<typeof createPool>;
  const env = () => ({ DATABASE_URL: db.url, NO_COLOR: '1' });
  beforeAll(async () => {
    db = await createTestDatabase();
    pg = createPool({ connectionString: db.url });
    await migrateAll(pg);
  });
  afterAll(async () => {
    await pg?.pool.end();
    await db?.drop();
  });

  it('is shown waiting by status and stopped by stop, through the database', async () => {
    const follow = await holdFollowRow(pg.withPgClient, {
      followId: 'far-follow',
      intervalMs: 300_000,
      pollMs: 100,
      host: 'far-away-host',
      pid: 4_000_000,
    });
    try {
      const waiting = {
        nextCheck: Date.now() + 300_000,
        lastChange: { at: Date.now(), unit: 'eurusd/2024-12' },
      };
      follow.update({ waiting, cycles: 2, lastRunId: '20261206-101500-4f2a' });
      await expect
        .poll(() => pg.withPgClient((c) => liveFollows(c, 'this-host')), { timeout: 30_000 })
        .toMatchObject([{ followId: 'far-follow', host: 'far-away-host', cycles: 2 }]);

      const text = await runCli(['status'], { env: env() });
      expect(text.exitCode, text.stderr).toBe(0);
      expect(text.stdout).toContain(waitingLine(waiting));
      const json = await runCli(['status', '--json'], { env: env() });
      expect(JSON.parse(json.stdout).follow).toEqual({
        ...waiting,
        host: 'far-away-host',
        pid: 4_000_000,
        cycles: 2,
        lastRunId: '20261206-101500-4f2a',
      });

      // A view finds no live run, but the follow waiting: it says so and starts nothing.
      const attach = await runCli(['attach'], { env: env() });
      expect(attach.exitCode, attach.stderr).toBe(0);
      expect(attach.stdout).toContain('a run --follow (pid 4000000 on far-away-host) waits');
      expect(attach.stdout).toContain(waitingLine(waiting));
      const start = await runCli(['run', '--detach'], { env: env() });
      expect(start.exitCode, start.stderr).toBe(0);
      expect(start.stdout).toContain(waitingLine(waiting));
      const runs = await db.pool.query('SELECT count(*)::int AS n FROM bqx_monitor.runs');
      expect(runs.rows[0].n).toBe(0);

      // `stop` marks it; the follow notices at its next poll and ends (its row goes).
      const stop = runCli(['stop'], { env: env() });
      await expect.poll(() => follow.stopRequested.aborted, { timeout: 60_000 }).toBe(true);
      await follow.close();
      const stopped = await stop;
      expect(stopped.exitCode, stopped.stderr).toBe(0);
      expect(stopped.stdout).toContain('the follow stopped');
    } finally {
      await follow.close();
    }
  });

  it('is not shown once silent past the bound, and nothing is there to stop', async () => {
    const follow = await holdFollowRow(pg.withPgClient, {
      followId: 'dead-follow',
      intervalMs: 300_000,
      pollMs: 100,
      host: 'dead-host',
      pid: 4_000_001,
    });
    follow.update({ waiting: { nextCheck: Date.now() + 300_000 }, cycles: 1, lastRunId: 'r' });
    await expect
      .poll(() => pg.withPgClient((c) => liveFollows(c, 'this-host')), { timeout: 30_000 })
      .toHaveLength(1);
    // Its process died: the row stays, its heartbeat ages.
    await follow.close();
    await db.pool.query(
      `INSERT INTO bqx_monitor.follows (follow_id, host, pid, interval_ms, heartbeat_at, next_check)
       VALUES ('dead-follow', 'dead-host', 4000001, 300000, now() - $1 * interval '1 ms', now())`,
      [FOLLOW_SILENT_MS + 1000],
    );
    expect(await pg.withPgClient((c) => liveFollows(c, 'this-host'))).toEqual([]);
    const status = await runCli(['status', '--json'], { env: env() });
    expect(JSON.parse(status.stdout)).not.toHaveProperty('follow');
    const stop = await runCli(['stop'], { env: env() });
    expect(stop.exitCode, stop.stderr).toBe(0);
    expect(stop.stdout).toContain('nothing to stop');
    const asked = await db.pool.query(
      `SELECT stop_requested_at FROM bqx_monitor.follows WHERE follow_id = 'dead-follow'`,
    );
    expect(asked.rows).toEqual([{ stop_requested_at: null }]);
  });
});

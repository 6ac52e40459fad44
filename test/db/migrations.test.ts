import { afterEach, describe, expect, it } from 'vitest';
import { createPool } from '../../src/db/connection/pool.js';
import { LATEST_MIGRATION, migrate, schemaVersion } from '../../src/db/migrations/migrate.js';
import { MIGRATIONS } from '../../src/db/migrations/steps.js';
import { migrateAll } from '../../src/orchestrator/run/migrateAll.js';
import { runCli } from '../support/cli.js';
import { createTestDatabase, type TestDatabase } from '../support/testDatabase.js';

const dbs: TestDatabase[] = [];
afterEach(async () => {
  for (const db of dbs.splice(0)) await db.drop();
});

async function empty(): Promise<TestDatabase> {
  const db = await createTestDatabase({ empty: true });
  dbs.push(db);
  return db;
}

describe("bqx-monitor's own schema", () => {
  it('is created by several processes at the same moment without a race', async () => {
    const db = await empty();
    const pools = Array.from({ length: 4 }, () => createPool({ connectionString: db.url }));
    try {
      await Promise.all(pools.map((p) => migrateAll(p)));
      const c = await pools[0]!.pool.connect();
      try {
        expect(await schemaVersion(c)).toBe(LATEST_MIGRATION);
        const jobs = await c.query("SELECT to_regclass('graphile_worker.jobs') AS t");
        expect(jobs.rows[0].t).not.toBeNull();
      } finally {
        c.release();
      }
    } finally {
      for (const p of pools) await p.pool.end();
    }
  });

  it('adopts the tables an earlier version created one by one, keeping their rows', async () => {
    const db = await empty();
    await db.pool.query(`CREATE SCHEMA bqx_monitor;
      CREATE TABLE bqx_monitor.runs (run_id text PRIMARY KEY,
        started_at timestamptz NOT NULL DEFAULT now(), finished_at timestamptz,
        status text NOT NULL CHECK (status IN ('running', 'complete', 'failed', 'interrupted')),
        host text NOT NULL, pid int NOT NULL, units jsonb NOT NULL);
      INSERT INTO bqx_monitor.runs (run_id, status, host, pid, units)
        VALUES ('20261101-000000-0001', 'complete', 'old', 1, '{}')`);
    const p = createPool({ connectionString: db.url });
    try {
      expect(await migrate(p)).toBe(MIGRATIONS.length);
      const r = await db.pool.query('SELECT run_id, status, phase FROM bqx_monitor.runs');
      expect(r.rows).toEqual([
        { run_id: '20261101-000000-0001', status: 'complete', phase: 'running' },
      ]);
      // The upgraded check accepts the new status.
      await db.pool.query(
        "INSERT INTO bqx_monitor.runs (run_id, status, host, pid) VALUES ('x', 'lost', 'h', 1)",
      );
    } finally {
      await p.pool.end();
    }
  });

  it('is upgraded once per process and leaves a current database as it is', async () => {
    const db = await empty();
    const a = createPool({ connectionString: db.url });
    const b = createPool({ connectionString: db.url });
    try {
      // The number of steps applied (ids may have gaps).
      expect(await migrate(a)).toBe(MIGRATIONS.length);
      expect(await migrate(a)).toBe(MIGRATIONS.length);
      expect(await migrate(b)).toBe(0);
    } finally {
      await a.pool.end();
      await b.pool.end();
    }
  });
});

describe('the seeder and our schema', () => {
  const tablesOf = async (db: TestDatabase) =>
    (
      await db.pool.query<{ t: string }>(
        "SELECT tablename AS t FROM pg_tables WHERE schemaname = 'bqx_monitor' ORDER BY 1",
      )
    ).rows.map((r) => r.t);

  it('creates no table of ours: `seed` migrates first and records into the dataset table', async () => {
    const db = await empty();
    const r = await runCli(
      ['seed', '--db', db.url, '--pairs', 'eurusd', '--from', '2024-07', '--to', '2024-07'],
      { timeout: 180_000 },
    );
    expect(r.exitCode, r.stderr).toBe(0);
    const c = await db.pool.connect();
    try {
      expect(await schemaVersion(c)).toBe(LATEST_MIGRATION);
    } finally {
      c.release();
    }
    const seeded = await tablesOf(db);
    expect(seeded).toContain('dataset');
    const rows = await db.pool.query('SELECT pairs, data_from FROM bqx_monitor.dataset');
    expect(rows.rows).toEqual([{ pairs: ['eurusd'], data_from: '2024-07' }]);
    // Every table of ours there is one the migrations make on a database never seeded.
    const other = await empty();
    const p = createPool({ connectionString: other.url });
    try {
      await migrate(p);
    } finally {
      await p.pool.end();
    }
    expect(seeded).toEqual(await tablesOf(other));
  }, 240_000);
});

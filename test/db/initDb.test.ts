import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { runCli } from '../support/cli.js';
import { createTestDatabase, type TestDatabase } from '../support/testDatabase.js';

describe('init-db', () => {
  let db: TestDatabase;
  beforeEach(async () => {
    db = await createTestDatabase();
  });
  afterEach(async () => {
    await db.drop();
  });

  it('creates every output parent and monthly partition, idempotently, with UTC bounds', async () => {
    const first = await runCli(['init-db', '--db', db.url]);
    expect(first.exitCode).toBe(0);
    const second = await runCli(['init-db', '--db', db.url]);
    expect(second.exitCode).toBe(0);
    // template: 2 pairs; bollinger 2024-07..2024-09 (3 months), regression 2024-07..2024-08 (2)
    const parts = await db.pool.query(
      `SELECT c.relname, pg_get_expr(c.relpartbound, c.oid) AS bound FROM pg_inherits i
         JOIN pg_class c ON c.oid = i.inhrelid JOIN pg_class p ON p.oid = i.inhparent
         JOIN pg_namespace n ON n.oid = p.relnamespace
        WHERE n.nspname = 'bqx' AND c.relkind = 'r' AND p.relname ~ '^(bollinger_bqx|reg_rate|reg_bqx)_' ORDER BY 1`,
    );
    expect(parts.rowCount).toBe(2 * (3 + 2 + 2));
    const aug = parts.rows.find((r) => r.relname === 'bollinger_bqx_eurusd_2024_08');
    expect(aug.bound).toBe(
      "FOR VALUES FROM ('2024-08-01 00:00:00+00') TO ('2024-09-01 00:00:00+00')",
    );
    const cols = await db.pool.query(
      `SELECT count(*)::int AS n FROM information_schema.columns
        WHERE table_schema = 'bqx' AND table_name = 'reg_rate_usdjpy'`,
    );
    expect(cols.rows[0].n).toBe(91);
    const doctor = await runCli(['doctor', '--json', '--db', db.url]);
    expect(JSON.parse(String(doctor.stdout)).notes).toEqual([]);
  });

  it('creates partitions with UTC bounds whatever the session time zone', async () => {
    await db.pool.query(`ALTER DATABASE ${db.name} SET timezone TO 'America/New_York'`);
    expect((await runCli(['init-db', '--db', db.url])).exitCode).toBe(0);
    const client = await db.pool.connect();
    try {
      await client.query(`SET TIME ZONE 'UTC'`);
      const r = await client.query(
        `SELECT pg_get_expr(c.relpartbound, c.oid) AS bound FROM pg_class c WHERE c.relname = 'reg_bqx_eurusd_2024_07'`,
      );
      expect(r.rows[0].bound).toContain("'2024-07-01 00:00:00+00'");
    } finally {
      client.release();
    }
  });
});

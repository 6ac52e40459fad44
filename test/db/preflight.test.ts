import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { runCli } from '../support/cli.js';
import { writeConfig } from '../support/config.js';
import { createTestDatabase, type TestDatabase } from '../support/testDatabase.js';

interface Report {
  ok: boolean;
  problems: Array<{ kind: string; table?: string; column?: string; suggestions?: string[] }>;
  notes: Array<{ kind: string; table?: string }>;
}

async function relations(db: TestDatabase): Promise<string[]> {
  const r = await db.pool.query(
    `SELECT n.nspname || '.' || c.relname AS name FROM pg_class c
       JOIN pg_namespace n ON n.oid = c.relnamespace
      WHERE n.nspname NOT IN ('pg_catalog', 'information_schema', 'pg_toast') ORDER BY 1`,
  );
  return r.rows.map((x) => x.name);
}

describe('doctor (the preflight) on a real database', () => {
  let db: TestDatabase;
  beforeEach(async () => {
    db = await createTestDatabase();
  });
  afterEach(async () => {
    await db.drop();
  });

  it('passes on a seeded database and notes the output tables it would create', async () => {
    const r = await runCli(['doctor', '--json', '--db', db.url]);
    expect(r.exitCode).toBe(0);
    const report = JSON.parse(String(r.stdout)) as Report;
    expect(report.ok).toBe(true);
    expect(report.problems).toEqual([]);
    expect(report.notes.map((n) => n.table)).toContain('bollinger_bqx_eurusd');
  });

  it('exits 2 naming a renamed column with its new name as suggestion', async () => {
    await db.pool.query('ALTER TABLE bqx.m1_eurusd RENAME COLUMN time TO ts');
    const r = await runCli(['doctor', '--json', '--db', db.url]);
    expect(r.exitCode).toBe(2);
    const report = JSON.parse(String(r.stdout)) as Report;
    expect(report.problems).toContainEqual(
      expect.objectContaining({
        kind: 'missing-column',
        table: 'm1_eurusd',
        column: 'time',
        suggestions: ['ts'],
      }),
    );
    const text = await runCli(['doctor', '--db', db.url]);
    expect(text.stdout).toContain('missing column m1_eurusd.time (did you mean "ts"?)');
    expect(text.stderr).not.toMatch(/\n\s+at /);
  });

  it('accepts the renamed column once the config maps it', async () => {
    await db.pool.query('ALTER TABLE bqx.m1_eurusd RENAME COLUMN time TO ts');
    await db.pool.query('ALTER TABLE bqx.m1_usdjpy RENAME COLUMN time TO ts');
    const config = await writeConfig(JSON.stringify({ columns: { m1: { time: 'ts' } } }));
    const r = await runCli(['doctor', '--json', '--db', db.url, '--config', config]);
    expect(JSON.parse(String(r.stdout)).problems).toEqual([]);
    expect(r.exitCode).toBe(0);
  });

  it('names a dropped Phase-1 table and every other problem in one report', async () => {
    await db.pool.query('DROP TABLE bqx.volume_features_usdjpy');
    await db.pool.query('ALTER TABLE bqx.bqx_eurusd DROP COLUMN w30_bqx_max');
    await db.pool.query(
      'ALTER TABLE bqx.time_features_eurusd ALTER COLUMN trading_session TYPE int USING 0',
    );
    const r = await runCli(['doctor', '--json', '--db', db.url]);
    expect(r.exitCode).toBe(2);
    const report = JSON.parse(String(r.stdout)) as Report;
    expect(report.problems).toEqual(
      expect.arrayContaining([
        expect.objectContaining({ kind: 'missing-table', table: 'volume_features_usdjpy' }),
        expect.objectContaining({
          kind: 'missing-column',
          table: 'bqx_eurusd',
          column: 'w30_bqx_max',
        }),
        expect.objectContaining({
          kind: 'type-mismatch',
          table: 'time_features_eurusd',
          column: 'trading_session',
        }),
      ]),
    );
  });

  it('accepts numeric output columns and a naive timestamp key', async () => {
    await db.pool.query(`CREATE TABLE bqx.bollinger_bqx_eurusd (ts_utc timestamp PRIMARY KEY,
      ${Array.from({ length: 4 }, (_, i) => [20, 30, 60, 120][i])
        .flatMap((n) =>
          ['upper', 'middle', 'lower', 'width', 'percent_b'].map((m) => `bb_${m}_${n} numeric`),
        )
        .join(', ')}, bb_slope_20 numeric, bb_slope_60 numeric) PARTITION BY RANGE (ts_utc)`);
    const r = await runCli(['doctor', '--json', '--db', db.url]);
    const report = JSON.parse(String(r.stdout)) as Report;
    expect(report.problems).toEqual([]);
    expect(report.notes).toContainEqual(
      expect.objectContaining({ kind: 'partitions-missing', table: 'bollinger_bqx_eurusd' }),
    );
  });

  it('names missing privileges of a read-only role', async () => {
    const role = `ro_${db.name}`;
    await db.pool.query(`CREATE ROLE ${role} LOGIN PASSWORD 'ro-secret'`);
    try {
      await db.pool.query(`GRANT CONNECT ON DATABASE ${db.name} TO ${role}`);
      await db.pool.query(`GRANT USAGE ON SCHEMA bqx TO ${role}`);
      await db.pool.query(`GRANT SELECT ON ALL TABLES IN SCHEMA bqx TO ${role}`);
      await db.pool.query(`REVOKE SELECT ON bqx.m1_eurusd FROM ${role}`);
      const url = new URL(db.url);
      url.username = role;
      url.password = 'ro-secret';
      const r = await runCli(['doctor', '--json', '--db', url.toString()]);
      expect(r.exitCode).toBe(2);
      const report = JSON.parse(r.stdout) as Report & { problems: Array<{ needed?: string }> };
      expect(report.problems).toEqual(
        expect.arrayContaining([
          expect.objectContaining({ kind: 'privilege', table: 'm1_eurusd', needed: 'SELECT' }),
          expect.objectContaining({ kind: 'privilege', needed: 'CREATE on schema bqx' }),
        ]),
      );
      expect(r.stdout).not.toContain('ro-secret');
    } finally {
      await db.pool.query(`REVOKE ALL ON ALL TABLES IN SCHEMA bqx FROM ${role}`);
      await db.pool.query(`REVOKE ALL ON SCHEMA bqx FROM ${role}`);
      await db.pool.query(`REVOKE ALL ON DATABASE ${db.name} FROM ${role}`);
      await db.pool.query(`DROP ROLE ${role}`);
    }
  });

  it('writes nothing', async () => {
    const before = await relations(db);
    await db.pool.query('ALTER TABLE bqx.m1_eurusd RENAME COLUMN time TO ts');
    const mid = await relations(db);
    await runCli(['doctor', '--db', db.url]);
    await runCli(['doctor', '--json', '--db', db.url]);
    expect(await relations(db)).toEqual(mid);
    expect(mid).toEqual(before);
    expect(before.some((n) => n.startsWith('bqx.bollinger_bqx_'))).toBe(false);
  });

  it('notes a server setting that slows a run, without failing on it', async () => {
    await db.pool.query(`ALTER DATABASE ${db.name} SET synchronous_commit = on`);
    const r = await runCli(['doctor', '--json', '--db', db.url]);
    expect(r.exitCode).toBe(0);
    const report = JSON.parse(String(r.stdout)) as Report & { notes: Array<{ setting?: string }> };
    expect(report.ok).toBe(true);
    expect(report.notes[0]).toMatchObject({ kind: 'slow-setting', setting: 'synchronous_commit' });
    const text = await runCli(['doctor', '--db', db.url]);
    expect(text.stdout).toContain('server setting synchronous_commit = on slows a run');
  });

  it('reports a missing schema as a problem, not a crash', async () => {
    const config = await writeConfig('{"schema":"nope"}');
    const r = await runCli(['doctor', '--db', db.url, '--config', config]);
    expect(r.exitCode).toBe(2);
    expect(r.stdout).toContain('schema "nope" does not exist');
  });
});

import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { settingsFrom } from '../../src/config/validate.js';
import { analyzeWritten } from '../../src/db/ddl/analyzeWritten.js';
import { runCli } from '../support/cli.js';
import { createTestDatabase, type TestDatabase } from '../support/testDatabase.js';

/** Partitions among `names` that have statistics of their key. */
async function analyzed(db: TestDatabase, names: string[]): Promise<string[]> {
  const r = await db.pool.query(
    `SELECT tablename FROM pg_stats WHERE schemaname = 'bqx' AND attname = 'ts_utc'
        AND tablename = ANY($1) ORDER BY 1`,
    [names],
  );
  return r.rows.map((x) => x.tablename);
}

describe('analyzing what a run wrote', () => {
  let db: TestDatabase;
  const unit = (track: string, pair: string, month: string) => [
    'track',
    track,
    '--pair',
    pair,
    '--month',
    month,
    '--db',
    db.url,
  ];
  beforeAll(async () => {
    db = await createTestDatabase();
    for (const args of [
      unit('bollinger', 'eurusd', '2024-08'),
      unit('bollinger', 'eurusd', '2024-07'),
      unit('regression', 'usdjpy', '2024-08'),
    ]) {
      const r = await runCli(args);
      expect(r.exitCode, r.stderr).toBe(0);
    }
  }, 120_000);
  afterAll(async () => {
    await db.drop();
  });

  const parts = [
    'bollinger_bqx_eurusd_2024_07',
    'bollinger_bqx_eurusd_2024_08',
    'reg_bqx_usdjpy_2024_08',
    'reg_rate_usdjpy_2024_08',
  ];

  it('creates output partitions that autovacuum leaves alone, unanalyzed until asked', async () => {
    const r = await db.pool.query(
      `SELECT relname, reloptions FROM pg_class WHERE relname = ANY($1) ORDER BY 1`,
      [parts],
    );
    expect(r.rows.map((x) => x.reloptions)).toEqual(parts.map(() => ['autovacuum_enabled=false']));
    expect(await analyzed(db, parts)).toEqual([]);
  });

  it("analyzes the key and row counts of the units' partitions, and nothing else", async () => {
    const client = await db.pool.connect();
    try {
      const n = await analyzeWritten(client, settingsFrom({}), [
        { track: 'bollinger', unit: 'eurusd/2024-08' },
        { track: 'regression', unit: 'usdjpy/2024-08' },
        { track: 'bollinger', unit: 'eurusd/2024-09' }, // no data: no partition was written
        { track: 'extraction', unit: 'eurusd' }, // a Parquet file
      ]);
      expect(n).toBe(3);
      // The session's statistics target is its own again.
      expect((await client.query('SHOW default_statistics_target')).rows[0]).toEqual({
        default_statistics_target: '100',
      });
    } finally {
      client.release();
    }
    expect(await analyzed(db, parts)).toEqual(parts.slice(1));
    const counts = await db.pool.query(
      `SELECT c.reltuples::int AS estimated, (SELECT count(*)::int FROM bqx.reg_rate_usdjpy_2024_08) AS actual
         FROM pg_class c WHERE c.relname = 'reg_rate_usdjpy_2024_08'`,
    );
    const { estimated, actual } = counts.rows[0];
    expect(Math.abs(estimated - actual)).toBeLessThanOrEqual(0.01 * actual);
  });
});

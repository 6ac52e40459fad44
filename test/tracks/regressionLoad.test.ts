import type pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { settingsFrom } from '../../src/config/validate.js';
import { parseMonth } from '../../src/config/months.js';
import { loadRegressionInput } from '../../src/tracks/regression/loadInput.js';
import { createTestDatabase, type TestDatabase } from '../support/testDatabase.js';

const AUGUST = parseMonth('2024-08')!;

/**
 * Track 2's input as the join defines it (docs/spec/FEATURES.md), written as one SQL statement: m1's
 * minutes of the range, a duplicated minute's first row in physical order, inner-joined
 * with bqx on the instant. `newest` takes the last rows before the month instead.
 */
async function joinInSql(db: TestDatabase, where: string, newest?: number): Promise<number[][]> {
  const r = await db.pool.query({
    text: `SELECT (extract(epoch FROM m.t) * 1000000)::int8::float8, m.ri, b.w15_bqx_return
             FROM (SELECT DISTINCT ON (time) (time AT TIME ZONE 'UTC') AS t, rate_index AS ri, time AS k
                     FROM bqx.m1_eurusd WHERE ${where} ORDER BY time, ctid) m
             JOIN bqx.bqx_eurusd b ON b.ts_utc = m.t
            ORDER BY m.k ${newest ? `DESC LIMIT ${newest}` : ''}`,
    rowMode: 'array',
  });
  const rows = r.rows.map((x) => x.map((v: unknown) => (v === null ? Number.NaN : Number(v))));
  return newest ? rows.reverse() : rows;
}

/** The series as rows [time, rate_index, w15_bqx_return]. */
function rowsOf(input: Awaited<ReturnType<typeof loadRegressionInput>>, from: number, to: number) {
  const { times, values } = input.series;
  return Array.from({ length: to - from }, (_, i) => [
    times[from + i]!,
    values[0]![from + i]!,
    values[1]![from + i]!,
  ]);
}

/** Temporary files this database has written so far, as its statistics count them. */
async function tempFiles(client: pg.ClientBase): Promise<number> {
  // Flush this session's pending statistics, then read them afresh.
  await client.query('SELECT pg_stat_force_next_flush()');
  await client.query('SELECT 1');
  await client.query('SELECT pg_stat_clear_snapshot()');
  const r = await client.query(
    'SELECT temp_files::int AS n FROM pg_stat_database WHERE datname = current_database()',
  );
  return r.rows[0].n;
}

describe("Track 2's load on a real database", () => {
  let db: TestDatabase;
  beforeAll(async () => {
    db = await createTestDatabase();
  });
  afterAll(async () => {
    await db.drop();
  });

  it('writes no temporary file, even when the session allows sorts only 64 kB', async () => {
    const client = await db.pool.connect();
    try {
      await client.query(`SET work_mem = '64kB'`);
      const before = await tempFiles(client);
      const input = await loadRegressionInput(client, settingsFrom({}), 'eurusd', AUGUST);
      expect(input.series.times.length - input.series.lookback).toBeGreaterThan(30_000);
      // The seeded sources have the same minutes.
      expect([input.m1WithoutBqx, input.bqxWithoutM1]).toEqual([0, 0]);
      const loaded = await tempFiles(client);
      expect(loaded - before).toBe(0);
      // The same session sorting m1 by a column no index orders: that spills, and is counted.
      const spill = await client.query(
        `SELECT count(*)::int AS n FROM (SELECT rate_index FROM bqx.m1_eurusd ORDER BY rate_index OFFSET 0) d`,
      );
      expect(spill.rows[0].n).toBeGreaterThan(30_000);
      expect(await tempFiles(client)).toBeGreaterThan(loaded);
    } finally {
      client.release();
    }
  });

  it('reads exactly the rows of the join: duplicates, gaps and rows out of physical order', async () => {
    // Minutes repeated with another rate_index, in the month and in its look-back; minutes
    // whose bqx row is gone; rows moved to the end of the table (out of time order).
    await db.pool.query(`INSERT INTO bqx.m1_eurusd
      SELECT time, open, high, low, close, volume, spread, rate_index + 1 FROM bqx.m1_eurusd
       WHERE time IN ('2024-08-05 10:00', '2024-08-20 13:37', '2024-07-31 23:50')`);
    await db.pool.query(`DELETE FROM bqx.bqx_eurusd
      WHERE ts_utc IN ('2024-08-06 09:00+00', '2024-07-31 23:55+00', '2024-08-01 00:00+00')`);
    // A minute of the month in bqx only.
    await db.pool.query(`DELETE FROM bqx.m1_eurusd WHERE time = '2024-08-07 11:00'`);
    await db.pool.query(`WITH moved AS (DELETE FROM bqx.m1_eurusd
        WHERE time >= '2024-08-12 00:00' AND time < '2024-08-12 02:00' RETURNING *)
      INSERT INTO bqx.m1_eurusd SELECT * FROM moved`);
    const client = await db.pool.connect();
    const input = await loadRegressionInput(client, settingsFrom({}), 'eurusd', AUGUST).finally(
      () => client.release(),
    );
    const { lookback } = input.series;
    const month = await joinInSql(db, `time >= '2024-08-01' AND time < '2024-09-01'`);
    const back = await joinInSql(db, `time < '2024-08-01'`, 89);
    expect(lookback).toBe(89);
    expect(rowsOf(input, lookback, input.series.times.length)).toEqual(month);
    expect(rowsOf(input, 0, lookback)).toEqual(back);
    expect(input.duplicateMinutes).toBe(2);
    // In the month: two m1 minutes lost their bqx row, one bqx row lost its m1 minute.
    expect([input.m1WithoutBqx, input.bqxWithoutM1]).toEqual([2, 1]);
    // The kept row of a repeated minute is the original (first in physical order).
    const t = Date.UTC(2024, 7, 5, 10, 0) * 1000;
    const at = input.series.times.indexOf(t);
    const original = await db.pool.query(
      `SELECT min(rate_index) AS ri FROM bqx.m1_eurusd WHERE time = '2024-08-05 10:00'`,
    );
    expect(input.series.values[0]![at]).toBe(original.rows[0].ri);
  });
});

import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { OverflowCounts } from '../../src/tracks/kernels/overflow.js';
import { computeRegression } from '../../src/tracks/kernels/quadraticFit.js';
import { runCli } from '../support/cli.js';
import { parseEvents } from '../support/events.js';
import { createTestDatabase, type TestDatabase } from '../support/testDatabase.js';

const asNumber = (v: unknown) => (v === null ? Number.NaN : Number(v));

async function details(db: TestDatabase, track: string, unit: string) {
  const r = await db.pool.query(
    'SELECT status, details FROM bqx_monitor.unit_results WHERE track = $1 AND unit = $2',
    [track, unit],
  );
  return r.rows[0];
}

describe('values that overflow in Tracks 1 and 2', () => {
  let db: TestDatabase;
  beforeAll(async () => {
    db = await createTestDatabase();
  });
  afterAll(async () => {
    await db.drop();
  });

  it('counts the Bollinger values a 1e300 input overflows: a warning, unit_done and the outcome', async () => {
    // One input of 1e300 in the middle of August: every window of n holding it has an
    // infinite variance, so its bands, width and percent_b overflow on n rows.
    await db.pool.query(`UPDATE bqx.bqx_usdjpy SET w15_bqx_return = 1e300
      WHERE ts_utc = (SELECT ts_utc FROM bqx.bqx_usdjpy WHERE ts_utc >= '2024-08-10 00:00:00+00'
                      ORDER BY ts_utc LIMIT 1)`);
    const r = await runCli([
      'track',
      'bollinger',
      '--pair',
      'usdjpy',
      '--month',
      '2024-08',
      '--db',
      db.url,
    ]);
    expect(r.exitCode, r.stderr).toBe(0);
    const want: Record<string, number> = {};
    for (const n of [20, 30, 60, 120]) {
      for (const m of ['upper', 'lower', 'width', 'percent_b']) want[`bb_${m}_${n}`] = n;
    }
    want['bb_slope_20'] = 21;
    want['bb_slope_60'] = 61;
    const total = Object.values(want).reduce((a, b) => a + b, 0);
    const events = parseEvents(r.stdout);
    const warning = events.find((e) => e.type === 'warning');
    expect(warning).toMatchObject({ unit: 'usdjpy/2024-08', code: 'overflow', count: total });
    expect(warning?.type === 'warning' && warning.message).toContain('bb_upper_20 (20)');
    const done = events.find((e) => e.type === 'unit_done');
    expect(done).toMatchObject({ quality: { overflow: want } });
    expect(await details(db, 'bollinger', 'usdjpy/2024-08')).toEqual({
      status: 'done',
      details: { overflow: want },
    });
    // They are NULL in the partition, as every non-finite value.
    const nulls = await db.pool.query(
      `SELECT count(*) FILTER (WHERE bb_upper_20 IS NULL)::int AS upper,
              count(*) FILTER (WHERE bb_middle_20 IS NULL)::int AS middle
         FROM bqx.bollinger_bqx_usdjpy_2024_08 WHERE ts_utc >= '2024-08-10 00:00:00+00'`,
    );
    expect(nulls.rows[0]).toEqual({ upper: 20, middle: 0 });
  });

  it('counts the regression values a 1e300 rate index overflows, in the month only', async () => {
    // On July's last minute: a look-back row, whose own fits belong to July's unit, while
    // the first n − 1 windows of August hold it.
    await db.pool.query(`UPDATE bqx.m1_eurusd SET rate_index = 1e300
      WHERE time = (SELECT max(time) FROM bqx.m1_eurusd WHERE time < '2024-08-01')`);
    const r = await runCli([
      'track',
      'regression',
      '--pair',
      'eurusd',
      '--month',
      '2024-08',
      '--db',
      db.url,
    ]);
    expect(r.exitCode, r.stderr).toBe(0);
    // The kernel's own count over the same joined rows, from the month's first row on.
    const source = await db.pool.query(
      `SELECT b.ts_utc, m.rate_index FROM bqx.m1_eurusd m
         JOIN bqx.bqx_eurusd b ON b.ts_utc = m.time AT TIME ZONE 'UTC'
        WHERE m.time < '2024-09-01' ORDER BY 1`,
    );
    const augStart = source.rows.findIndex((x) => x.ts_utc >= new Date('2024-08-01T00:00:00Z'));
    const counts = new OverflowCounts(augStart);
    computeRegression(
      Float64Array.from(source.rows.map((x) => asNumber(x.rate_index))),
      'idx',
      () => {},
      counts,
    );
    const want = counts.toRecord();
    expect([want['rmse_idx_w15'], want['rmse_idx_agg']]).toEqual([14, 89]);
    expect(Object.keys(want).every((c) => c.includes('_idx_'))).toBe(true);
    const events = parseEvents(r.stdout);
    expect(events.filter((e) => e.type === 'warning')).toEqual([
      expect.objectContaining({ code: 'overflow', count: counts.total }),
    ]);
    expect(events.find((e) => e.type === 'unit_done')).toMatchObject({
      quality: { overflow: want },
    });
    expect(await details(db, 'regression', 'eurusd/2024-08')).toEqual({
      status: 'done',
      details: { overflow: want },
    });
  });

  it('records no quality details for a unit whose values all fit', async () => {
    const r = await runCli([
      'track',
      'bollinger',
      '--pair',
      'eurusd',
      '--month',
      '2024-08',
      '--db',
      db.url,
    ]);
    expect(r.exitCode, r.stderr).toBe(0);
    const events = parseEvents(r.stdout);
    expect(events.some((e) => e.type === 'warning')).toBe(false);
    expect(events.find((e) => e.type === 'unit_done')).not.toHaveProperty('quality');
    expect(await details(db, 'bollinger', 'eurusd/2024-08')).toEqual({
      status: 'done',
      details: null,
    });
  });
});

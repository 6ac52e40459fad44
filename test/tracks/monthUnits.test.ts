import { execa } from 'execa';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { settingsFrom } from '../../src/config/validate.js';
import { parseMonth } from '../../src/config/months.js';
import { BOLLINGER_BQX_COLUMNS, regColumns } from '../../src/db/contract/columns.js';
import { computeBollinger } from '../../src/tracks/kernels/bollinger.js';
import { computeRegression } from '../../src/tracks/kernels/quadraticFit.js';
import { loadRegressionInput } from '../../src/tracks/regression/loadInput.js';
import { CLI, runCli } from '../support/cli.js';
import { parseEvents } from '../support/events.js';
import { createTestDatabase, type TestDatabase } from '../support/testDatabase.js';

async function md5(db: TestDatabase, table: string): Promise<string> {
  const r = await db.pool.query(
    `SELECT md5(string_agg(x::text, '|' ORDER BY x.ts_utc)) AS h FROM bqx.${table} x`,
  );
  return r.rows[0].h;
}

const asNumber = (v: unknown) => (v === null ? Number.NaN : Number(v));

/** Equal as written to the database: NaN (NULL) matches NULL, numbers match exactly. */
function expectSameColumn(got: unknown[], want: Float64Array, name: string) {
  expect(got.length).toBe(want.length);
  const bad: string[] = [];
  for (let i = 0; i < want.length && bad.length < 5; i++) {
    const w = want[i]!;
    const ok = Number.isFinite(w) ? got[i] === w : got[i] === null;
    if (!ok) bad.push(`${name}[${i}]: got ${got[i]}, want ${w}`);
  }
  expect(bad).toEqual([]);
}

describe('Tracks 1 and 2 units on a real database', () => {
  let db: TestDatabase;
  beforeAll(async () => {
    db = await createTestDatabase();
  });
  afterAll(async () => {
    await db.drop();
  });

  it('writes the 22 Bollinger columns for a month, continuous with the month before', async () => {
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
    const done = events.find((e) => e.type === 'unit_done');
    const source = await db.pool.query(
      `SELECT ts_utc, w15_bqx_return FROM bqx.bqx_eurusd WHERE ts_utc < '2024-09-01 00:00:00+00' ORDER BY ts_utc`,
    );
    const augStart = source.rows.findIndex((x) => x.ts_utc >= new Date('2024-08-01T00:00:00Z'));
    expect(augStart).toBeGreaterThan(1000);
    expect(done).toMatchObject({ unit: 'eurusd/2024-08', rows: source.rowCount! - augStart });
    // One pass over July and August, compared with the August partition written alone.
    const onePass = computeBollinger(
      Float64Array.from(source.rows.map((x) => asNumber(x.w15_bqx_return))),
    );
    const out = await db.pool.query(
      'SELECT * FROM bqx.bollinger_bqx_eurusd_2024_08 ORDER BY ts_utc',
    );
    expect(out.rows[0].ts_utc).toEqual(source.rows[augStart].ts_utc);
    for (const col of BOLLINGER_BQX_COLUMNS) {
      expectSameColumn(
        out.rows.map((x) => x[col]),
        onePass.get(col)!.subarray(augStart),
        col,
      );
    }
  });

  it("leaves only the pair's very first rows NULL", async () => {
    const r = await runCli([
      'track',
      'bollinger',
      '--pair',
      'eurusd',
      '--month',
      '2024-07',
      '--db',
      db.url,
    ]);
    expect(r.exitCode, r.stderr).toBe(0);
    const out = await db.pool.query(
      'SELECT bb_middle_20, bb_middle_120 FROM bqx.bollinger_bqx_eurusd_2024_07 ORDER BY ts_utc LIMIT 200',
    );
    // w15_bqx_return is NULL on the first 15 bars, so window 20 is complete from row 15 + 19.
    expect(out.rows[33].bb_middle_20).toBeNull();
    expect(out.rows[34].bb_middle_20).not.toBeNull();
    expect(out.rows[133].bb_middle_120).toBeNull();
    expect(out.rows[134].bb_middle_120).not.toBeNull();
  });

  it('writes both regression partitions for a month, continuous with the month before', async () => {
    const r = await runCli([
      'track',
      'regression',
      '--pair',
      'usdjpy',
      '--month',
      '2024-08',
      '--db',
      db.url,
    ]);
    expect(r.exitCode, r.stderr).toBe(0);
    const computing = parseEvents(r.stdout).flatMap((e) =>
      e.type === 'stage' && e.stage === 'compute' ? [e.detail] : [],
    );
    expect(computing).toEqual(
      ['idx', 'bqx'].flatMap((d) =>
        ['w15', 'w30', 'w45', 'w60', 'w75', 'agg'].map((w) => `${d} ${w}`),
      ),
    );
    const source = await db.pool.query(
      `SELECT b.ts_utc, m.rate_index, b.w15_bqx_return FROM bqx.m1_usdjpy m
         JOIN bqx.bqx_usdjpy b ON b.ts_utc = m.time AT TIME ZONE 'UTC'
        WHERE m.time < '2024-09-01' ORDER BY 1`,
    );
    const augStart = source.rows.findIndex((x) => x.ts_utc >= new Date('2024-08-01T00:00:00Z'));
    const idx = computeRegression(Float64Array.from(source.rows.map((x) => x.rate_index)), 'idx');
    const bqx = computeRegression(
      Float64Array.from(source.rows.map((x) => asNumber(x.w15_bqx_return))),
      'bqx',
    );
    const rate = await db.pool.query('SELECT * FROM bqx.reg_rate_usdjpy_2024_08 ORDER BY ts_utc');
    const ret = await db.pool.query('SELECT * FROM bqx.reg_bqx_usdjpy_2024_08 ORDER BY ts_utc');
    expect(rate.rowCount).toBe(source.rowCount! - augStart);
    expect(ret.rowCount).toBe(rate.rowCount);
    for (const col of regColumns('idx'))
      expectSameColumn(
        rate.rows.map((x) => x[col]),
        idx.get(col)!.subarray(augStart),
        col,
      );
    for (const col of regColumns('bqx'))
      expectSameColumn(
        ret.rows.map((x) => x[col]),
        bqx.get(col)!.subarray(augStart),
        col,
      );
    const outcome = await db.pool.query(
      `SELECT status, rows FROM bqx_monitor.unit_results WHERE track = 'regression'`,
    );
    expect(outcome.rows).toEqual([{ status: 'done', rows: String(rate.rowCount) }]);
  });

  it('gives identical bytes when a unit is run again', async () => {
    await runCli(['track', 'bollinger', '--pair', 'usdjpy', '--month', '2024-07', '--db', db.url]);
    const first = await md5(db, 'bollinger_bqx_usdjpy_2024_07');
    await runCli(['track', 'bollinger', '--pair', 'usdjpy', '--month', '2024-07', '--db', db.url]);
    expect(await md5(db, 'bollinger_bqx_usdjpy_2024_07')).toBe(first);
    expect(first).toMatch(/^[0-9a-f]{32}$/);
  });

  it('ends a month without source rows as empty, writing nothing', async () => {
    const r = await runCli([
      'track',
      'bollinger',
      '--pair',
      'eurusd',
      '--month',
      '2024-09',
      '--db',
      db.url,
    ]);
    expect(r.exitCode).toBe(0);
    const types = parseEvents(r.stdout).map((e) => e.type);
    expect(types).toEqual(['worker_start', 'unit_start', 'stage', 'unit_empty', 'worker_exit']);
    const part = await db.pool.query(`SELECT to_regclass('bqx.bollinger_bqx_eurusd_2024_09') AS t`);
    expect(part.rows[0].t).toBeNull();
    const outcome = await db.pool.query(
      `SELECT status FROM bqx_monitor.unit_results WHERE unit = 'eurusd/2024-09'`,
    );
    expect(outcome.rows).toEqual([{ status: 'empty' }]);
  });

  it('joins m1 and bqx on the UTC minute whatever the session time zone', async () => {
    const client = await db.pool.connect();
    try {
      await client.query(`SET TIME ZONE 'America/New_York'`);
      const input = await loadRegressionInput(
        client,
        settingsFrom({}),
        'eurusd',
        parseMonth('2024-08')!,
      );
      const m1 = await client.query(
        `SELECT count(*)::int AS n FROM bqx.m1_eurusd WHERE time >= '2024-08-01' AND time < '2024-09-01'`,
      );
      expect(input.series.times.length - input.series.lookback).toBe(m1.rows[0].n);
      expect(input.series.lookback).toBe(89);
      expect(input.series.times[input.series.lookback]).toBe(
        Date.UTC(2024, 7, 1) * 1000 +
          (input.series.times[input.series.lookback]! - Date.UTC(2024, 7, 1) * 1000),
      );
      const firstAug = await client.query(
        `SELECT (extract(epoch FROM min(time)) * 1000000)::int8 AS us FROM bqx.m1_eurusd WHERE time >= '2024-08-01'`,
      );
      expect(input.series.times[input.series.lookback]).toBe(Number(firstAug.rows[0].us));
    } finally {
      client.release();
    }
  });

  it('drops m1 rows with a null time and a duplicated minute, with counted warnings', async () => {
    await db.pool.query(`INSERT INTO bqx.m1_eurusd (time, open, high, low, close, volume, spread, rate_index)
      VALUES (NULL, 1, 1, 1, 1, 1, 0.0001, 100), (NULL, 1, 1, 1, 1, 1, 0.0001, 100)`);
    await db.pool.query(`INSERT INTO bqx.m1_eurusd SELECT time, open, high, low, close, volume, spread, rate_index + 1
      FROM bqx.m1_eurusd WHERE time = (SELECT min(time) FROM bqx.m1_eurusd WHERE time >= '2024-08-05')`);
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
    const warnings = parseEvents(r.stdout).filter((e) => e.type === 'warning');
    expect(warnings).toEqual([
      expect.objectContaining({ code: 'null_timestamp', count: 2 }),
      expect.objectContaining({ code: 'duplicate_minute', count: 1 }),
    ]);
    // The first row of the duplicated minute is kept: its rate_index is the original one.
    const kept = await db.pool.query(`SELECT count(*)::int AS n FROM bqx.reg_rate_eurusd_2024_08`);
    const minutes = await db.pool.query(
      `SELECT count(DISTINCT time)::int AS n FROM bqx.m1_eurusd WHERE time >= '2024-08-01' AND time < '2024-09-01'`,
    );
    expect(kept.rows[0].n).toBe(minutes.rows[0].n);
  });

  it('keeps the previous partition intact when the worker is killed during its write', async () => {
    await runCli(['track', 'bollinger', '--pair', 'eurusd', '--month', '2024-07', '--db', db.url]);
    const before = await md5(db, 'bollinger_bqx_eurusd_2024_07');
    // Hold the unit's ledger row: the next run blocks after TRUNCATE + COPY, before COMMIT.
    const blocker = await db.pool.connect();
    await blocker.query('BEGIN');
    await blocker.query(
      `SELECT * FROM bqx_monitor.unit_results WHERE unit = 'eurusd/2024-07' FOR UPDATE`,
    );
    const child = execa(
      'node',
      [CLI, 'track', 'bollinger', '--pair', 'eurusd', '--month', '2024-07', '--db', db.url],
      {
        reject: false,
      },
    );
    // The unit holds its partition and waits on the ledger row the test has locked (its
    // outcome statement is WITH ... INSERT INTO unit_results ...).
    await expect
      .poll(
        async () =>
          (
            await db.pool.query(
              `SELECT count(*)::int AS n FROM pg_stat_activity WHERE datname = $1 AND wait_event_type = 'Lock'
                  AND query LIKE '%INSERT INTO bqx_monitor.unit_results%'`,
              [db.name],
            )
          ).rows[0].n,
        { timeout: 50_000, interval: 50 },
      )
      .toBeGreaterThan(0);
    const truncated = await db.pool.query(
      `SELECT count(*)::int AS n FROM pg_locks l JOIN pg_class c ON c.oid = l.relation
        WHERE c.relname = 'bollinger_bqx_eurusd_2024_07' AND l.mode = 'AccessExclusiveLock' AND l.granted`,
    );
    expect(truncated.rows[0].n).toBe(1); // the partition was already cleared inside the unit
    child.kill('SIGKILL');
    await child;
    await blocker.query('ROLLBACK');
    blocker.release();
    expect(await md5(db, 'bollinger_bqx_eurusd_2024_07')).toBe(before);
  });
});

describe("a user's existing output table with numeric columns and a naive key", () => {
  let db: TestDatabase;
  beforeAll(async () => {
    db = await createTestDatabase();
  });
  afterAll(async () => {
    await db.drop();
  });

  it('is written through, adapting to its types, with the same values', async () => {
    const cols = BOLLINGER_BQX_COLUMNS.map((c) => `${c} numeric`).join(', ');
    await db.pool.query(
      `CREATE TABLE bqx.bollinger_bqx_usdjpy (ts_utc timestamp PRIMARY KEY, ${cols}) PARTITION BY RANGE (ts_utc)`,
    );
    await db.pool.query(`CREATE TABLE bqx.bollinger_bqx_usdjpy_2024_08 PARTITION OF bqx.bollinger_bqx_usdjpy
      FOR VALUES FROM ('2024-08-01 00:00:00') TO ('2024-09-01 00:00:00')`);
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
    const source = await db.pool.query(
      `SELECT ts_utc, w15_bqx_return FROM bqx.bqx_usdjpy WHERE ts_utc < '2024-09-01 00:00:00+00' ORDER BY ts_utc`,
    );
    const augStart = source.rows.findIndex((x) => x.ts_utc >= new Date('2024-08-01T00:00:00Z'));
    const onePass = computeBollinger(
      Float64Array.from(source.rows.map((x) => asNumber(x.w15_bqx_return))),
    );
    const out = await db.pool.query(
      `SELECT ts_utc::text AS t, bb_upper_20::float8 AS u, bb_percent_b_120::float8 AS p
         FROM bqx.bollinger_bqx_usdjpy_2024_08 ORDER BY ts_utc`,
    );
    expect(out.rowCount).toBe(source.rowCount! - augStart);
    // The naive key holds the UTC wall clock of each instant.
    expect(out.rows[0].t).toBe(
      source.rows[augStart].ts_utc.toISOString().replace('T', ' ').slice(0, 19),
    );
    expectSameColumn(
      out.rows.map((x) => x.u),
      onePass.get('bb_upper_20')!.subarray(augStart),
      'bb_upper_20',
    );
    expectSameColumn(
      out.rows.map((x) => x.p),
      onePass.get('bb_percent_b_120')!.subarray(augStart),
      'bb_percent_b_120',
    );
  });
});

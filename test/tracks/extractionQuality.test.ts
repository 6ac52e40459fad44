import { tempDir } from '../support/tempDirs.js';
import path from 'node:path';
import { asyncBufferFromFile, parquetMetadataAsync, parquetReadObjects } from 'hyparquet';
import { compressors } from 'hyparquet-compressors';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PHASE1_TABLE_NAMES, PHASE1_TABLES } from '../../src/db/contract/columns.js';
import { ident } from '../../src/db/sql/ident.js';
import { runCli } from '../support/cli.js';
import { parseEvents } from '../support/events.js';
import { createTestDatabase, type TestDatabase } from '../support/testDatabase.js';

async function readParquet(file: string) {
  const buf = await asyncBufferFromFile(file);
  const meta = await parquetMetadataAsync(buf);
  const rows = (await parquetReadObjects({ file: buf, compressors })) as Record<string, unknown>[];
  return { meta, rows };
}

/** The inner join's keys straight from the database (not the extraction's SQL). */
const JOIN = (pair: string) => `bqx.bollinger_rate_${pair} b
  JOIN bqx.statistics_rate_${pair} s USING (ts_utc) JOIN bqx.volume_features_${pair} v USING (ts_utc)
  JOIN bqx.spread_features_${pair} p USING (ts_utc) JOIN bqx.time_features_${pair} t USING (ts_utc)`;

async function extract(db: TestDatabase, pair: string, out: string) {
  const r = await runCli(['track', 'extraction', '--pair', pair, '--out', out, '--db', db.url]);
  expect(r.exitCode, r.stderr).toBe(0);
  return parseEvents(r.stdout);
}

async function outcome(db: TestDatabase, unit: string) {
  const r = await db.pool.query(
    `SELECT status, rows::int, details FROM bqx_monitor.unit_results
      WHERE track = 'extraction' AND unit = $1`,
    [unit],
  );
  return r.rows[0];
}

describe('Track 3 and bad data', () => {
  let db: TestDatabase;
  beforeAll(async () => {
    db = await createTestDatabase();
  });
  afterAll(async () => {
    await db.drop();
  });

  it('drops joined rows whose key is ±infinity and counts them, the file and outcome exact', async () => {
    // ±infinity in all five tables (they join each other), and +infinity in one table only
    // (it joins nothing, like any unmatched row, so it is not dropped by the extraction).
    for (const [i, table] of PHASE1_TABLE_NAMES.entries()) {
      const name = `${table}_usdjpy`;
      const cols = PHASE1_TABLES[table].map((c) => ident(c.name)).join(', ');
      const keys = i === 0 ? ['-infinity', 'infinity', '2031-01-01'] : ['-infinity', 'infinity'];
      for (const key of keys) {
        await db.pool.query(
          `INSERT INTO bqx.${ident(name)} (ts_utc, ${cols})
           SELECT $1::timestamptz, ${cols} FROM bqx.${ident(name)} ORDER BY ts_utc LIMIT 1`,
          [key],
        );
      }
    }
    const counts = await db.pool.query(`SELECT count(*)::int AS total,
        count(*) FILTER (WHERE isfinite(b.ts_utc))::int AS finite,
        min(b.ts_utc) FILTER (WHERE isfinite(b.ts_utc)) AS first,
        max(b.ts_utc) FILTER (WHERE isfinite(b.ts_utc)) AS last FROM ${JOIN('usdjpy')}`);
    const { total, finite, first, last } = counts.rows[0];
    expect(total - finite).toBe(2);
    const out = await tempDir('bqx-inf-');
    const events = await extract(db, 'usdjpy', out);
    expect(events.filter((e) => e.type === 'warning')).toEqual([
      expect.objectContaining({ unit: 'usdjpy', code: 'infinite_timestamp', count: 2 }),
    ]);
    expect(events.find((e) => e.type === 'unit_done')).toMatchObject({
      rows: finite,
      quality: { dropped: { infinite_timestamp: 2 } },
    });
    const { meta, rows } = await readParquet(path.join(out, 'usdjpy.parquet'));
    expect(rows.length).toBe(finite);
    expect(Number(meta.num_rows)).toBe(finite);
    const kv = Object.fromEntries((meta.key_value_metadata ?? []).map((x) => [x.key, x.value]));
    expect(kv['row_count']).toBe(String(finite));
    // In time order from the first finite key to the last: no wrapped +infinity at the end.
    const times = rows.map((r) => (r['ts_utc'] as Date).getTime());
    expect(times[0]).toBe((first as Date).getTime());
    expect(times.at(-1)).toBe((last as Date).getTime());
    expect(times.every((t, i) => i === 0 || t > times[i - 1]!)).toBe(true);
    expect(await outcome(db, 'usdjpy')).toEqual({
      status: 'done',
      rows: finite,
      details: { dropped: { infinite_timestamp: 2 } },
    });
  });

  it('counts NaN and infinite values per column, written to the file unchanged', async () => {
    // Three kinds in three tables; a NULL is not counted.
    await db.pool.query(`UPDATE bqx.bollinger_rate_eurusd SET bb_upper_30 = 'NaN'
      WHERE ts_utc IN (SELECT ts_utc FROM bqx.bollinger_rate_eurusd ORDER BY ts_utc LIMIT 3)`);
    await db.pool.query(`UPDATE bqx.statistics_rate_eurusd SET kurt_5min = 'Infinity', skew_5min = NULL
      WHERE ts_utc IN (SELECT ts_utc FROM bqx.statistics_rate_eurusd ORDER BY ts_utc OFFSET 40000 LIMIT 2)`);
    await db.pool.query(`UPDATE bqx.spread_features_eurusd SET roll_cost = '-Infinity', price_impact = 'NaN'
      WHERE ts_utc = (SELECT max(ts_utc) FROM bqx.spread_features_eurusd)`);
    // The expected counts from the database, over the join, for every float column.
    const floats = PHASE1_TABLE_NAMES.flatMap((t, i) =>
      PHASE1_TABLES[t]
        .filter((c) => c.type === 'float8')
        .map((c) => ({ name: c.name, sql: `${'bsvpt'[i]}.${ident(c.name)}` })),
    );
    const counted = await db.pool.query(
      `SELECT ${floats
        .map(
          ({ sql }, i) =>
            `count(*) FILTER (WHERE ${sql} = 'NaN' OR ${sql} IN ('Infinity', '-Infinity'))::int AS c${i}`,
        )
        .join(', ')} FROM ${JOIN('eurusd')}`,
    );
    const want: Record<string, number> = {};
    floats.forEach(({ name }, i) => {
      const n = counted.rows[0][`c${i}`] as number;
      if (n > 0) want[name] = n;
    });
    expect(want).toEqual({ bb_upper_30: 3, kurt_5min: 2, price_impact: 1, roll_cost: 1 });
    const out = await tempDir('bqx-nan-');
    const events = await extract(db, 'eurusd', out);
    expect(events.some((e) => e.type === 'warning')).toBe(false);
    const done = events.find((e) => e.type === 'unit_done');
    expect(done?.type === 'unit_done' && done.quality).toEqual({ nonFinite: want });
    expect((await outcome(db, 'eurusd')).details).toEqual({ nonFinite: want });
    const { rows } = await readParquet(path.join(out, 'eurusd.parquet'));
    expect(rows.slice(0, 3).map((r) => r['bb_upper_30'])).toEqual([NaN, NaN, NaN]);
    expect(rows.at(-1)).toMatchObject({ roll_cost: -Infinity, price_impact: NaN });
  });
});

import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BQX_WINDOWS } from '../../src/db/contract/columns.js';
import { runCli } from '../support/cli.js';
import { createTestDatabase, type TestDatabase } from '../support/testDatabase.js';

const TABLES = [
  'm1_eurusd',
  'bqx_eurusd',
  'bollinger_rate_eurusd',
  'statistics_rate_eurusd',
  'volume_features_eurusd',
  'spread_features_eurusd',
  'time_features_eurusd',
];

async function checksums(db: TestDatabase): Promise<Record<string, string>> {
  const out: Record<string, string> = {};
  for (const t of TABLES) {
    const key = t.startsWith('m1_') ? 'time' : 'ts_utc';
    const r = await db.pool.query(
      `SELECT md5(string_agg(x::text, '|' ORDER BY x.${key})) AS h FROM bqx.${t} x`,
    );
    out[t] = r.rows[0].h;
  }
  return out;
}

const seedArgs = (db: TestDatabase, seed: string) => [
  'seed',
  '--db',
  db.url,
  '--pairs',
  'eurusd',
  '--from',
  '2024-07',
  '--to',
  '2024-07',
  '--seed',
  seed,
];

describe('seed: the deterministic demo dataset', () => {
  let a: TestDatabase;
  let b: TestDatabase;
  beforeAll(async () => {
    [a, b] = await Promise.all([
      createTestDatabase({ empty: true }),
      createTestDatabase({ empty: true }),
    ]);
  });
  afterAll(async () => {
    await Promise.all([a.drop(), b.drop()]);
  });

  it('gives identical tables for the same seed and different ones for another seed', async () => {
    const r1 = await runCli(seedArgs(a, '11'));
    expect(r1.exitCode).toBe(0);
    expect(r1.stdout).toMatch(/seeded 1 pairs, \d+ bars/);
    const r2 = await runCli(seedArgs(b, '11'));
    expect(r2.exitCode).toBe(0);
    const first = await checksums(a);
    expect(await checksums(b)).toEqual(first);
    expect(Object.values(first).every((h) => typeof h === 'string' && h.length === 32)).toBe(true);
    expect((await runCli(seedArgs(b, '12'))).exitCode).toBe(0);
    const other = await checksums(b);
    // Every table but time_features, which depends on the bar times only.
    for (const t of TABLES.filter((x) => !x.startsWith('time_features')))
      expect(other[t], t).not.toBe(first[t]);
    expect(other['time_features_eurusd']).toBe(first['time_features_eurusd']);
  });

  it('has no trading bars on Saturdays nor in the weekend gap', async () => {
    const r = await a.pool.query(
      `SELECT count(*) FILTER (WHERE extract(isodow FROM time) = 6)::int AS saturday,
              count(*) FILTER (WHERE (extract(isodow FROM time) = 5 AND time::time >= '22:00')
                              OR (extract(isodow FROM time) = 7 AND time::time < '22:00'))::int AS gap,
              count(*)::int AS total
         FROM bqx.m1_eurusd`,
    );
    expect(r.rows[0]).toMatchObject({ saturday: 0, gap: 0 });
    expect(r.rows[0].total).toBeGreaterThan(28_000);
  });

  it('fills bqx columns exactly as SCHEMA.md defines them', async () => {
    const idx = (
      await a.pool.query('SELECT rate_index FROM bqx.bqx_eurusd ORDER BY ts_utc')
    ).rows.map((r) => r.rate_index as number);
    const sample = [0, 14, 15, 16, 74, 75, 76, 1000, 5000, idx.length - 1];
    const rows = (await a.pool.query('SELECT * FROM bqx.bqx_eurusd ORDER BY ts_utc')).rows;
    for (const t of sample) {
      const row = rows[t];
      for (const w of BQX_WINDOWS) {
        if (t < w) {
          expect(row[`w${w}_bqx_return`]).toBeNull();
          continue;
        }
        const win = idx.slice(t - w, t);
        const now = idx[t]!;
        const avg = win.reduce((s, v) => s + v, 0) / w;
        const sd = Math.sqrt(win.reduce((s, v) => s + (v - avg) ** 2, 0) / (w - 1));
        const ret = win.reduce((s, v) => s + (v - now) / now, 0);
        const close = (got: number, want: number) =>
          expect(Math.abs(got - want)).toBeLessThanOrEqual(1e-9 * Math.max(1, Math.abs(want)));
        close(row[`w${w}_bqx_return`], ret);
        close(row[`w${w}_bqx_max`], Math.max(...win));
        close(row[`w${w}_bqx_min`], Math.min(...win));
        close(row[`w${w}_bqx_avg`], avg);
        close(row[`w${w}_bqx_stdev`], sd);
        close(row[`w${w}_bqx_endpoint`], (win[0]! - now) / now);
        if (w === 75) {
          close(row.agg_bqx_range, (Math.max(...win) - Math.min(...win)) / now);
          close(row.agg_bqx_volatility, sd / now);
          close(row.agg_bqx_return, ret);
        }
      }
    }
  });

  it('records the dataset so a run plans the seeded pairs and months', async () => {
    const r = await a.pool.query('SELECT pairs, data_from, data_to, seed FROM bqx_monitor.dataset');
    expect(r.rows[0]).toMatchObject({
      pairs: ['eurusd'],
      data_from: '2024-07',
      data_to: '2024-07',
    });
  });

  it('refuses bad options with a usage error and no stack trace', async () => {
    for (const args of [
      ['seed', '--db', a.url, '--pairs', 'EURUSD'],
      ['seed', '--db', a.url, '--from', '2024-7'],
      ['seed', '--db', a.url, '--preset', 'huge'],
      ['seed', '--db', a.url, '--seed', '-1'],
    ]) {
      const r = await runCli(args);
      expect(r.exitCode, args.join(' ')).toBe(2);
      expect(r.stderr).toMatch(/^bqx-monitor: /);
      expect(r.stderr).not.toMatch(/\n\s+at /);
    }
  });
});

import { execa } from 'execa';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BQX_WINDOWS } from '../../../src/db/contract/columns.js';
import { CLI, runCli } from '../../support/cli.js';
import { createTestDatabase, type TestDatabase } from '../../support/testDatabase.js';

const KINDS = [
  'm1',
  'bqx',
  'bollinger_rate',
  'statistics_rate',
  'volume_features',
  'spread_features',
  'time_features',
];
const PAIRS = ['eurusd', 'usdjpy'];
const TABLES = PAIRS.flatMap((p) => KINDS.map((k) => `${k}_${p}`));

/**
 * What the seeder wrote before it ran pairs in threads over binary COPY (text COPY, one
 * pair after another): `--pairs eurusd,usdjpy --from 2024-07 --to 2024-07 --seed 11`.
 * Same seed, same bytes: a faster seeder must give these, whatever its thread count.
 */
const BEFORE: Record<string, string> = {
  m1_eurusd: '408d0df12e9ae5df15c924b78a84e635',
  bqx_eurusd: '25daa7324356e66a82f86528c00ed44c',
  bollinger_rate_eurusd: 'a67740b4246c77481359ce1a6c367633',
  statistics_rate_eurusd: 'e1762acbcae7dfc2e850d084010f1a0c',
  volume_features_eurusd: 'e6b20fd47e1302aacf10c80d1dbce726',
  spread_features_eurusd: '0a3d832c288de4c7a11a8ad61d1e059e',
  time_features_eurusd: 'b230d422aeb3d4f74a5fdecd50ae18af',
  m1_usdjpy: 'b4a764ca6973bcb9adbf6bfa57fe914b',
  bqx_usdjpy: '6c02f1d5de8103eeb4eac97e591d6963',
  bollinger_rate_usdjpy: '9508d565ab734869d4576b0d98832948',
  statistics_rate_usdjpy: '071944ea4b5c5fba1a8ebc3a1bec2dc4',
  volume_features_usdjpy: '879befbbd4443de6a428355138694547',
  spread_features_usdjpy: '513cfe0f00849ecdd3d81f55658daa87',
  time_features_usdjpy: 'b230d422aeb3d4f74a5fdecd50ae18af',
};

/** md5 of every row's text, in key order, per table (NULL-free: a missing table fails). */
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

const seedArgs = (db: TestDatabase, seed: string, workers: string) => [
  'seed',
  '--db',
  db.url,
  '--pairs',
  PAIRS.join(','),
  '--from',
  '2024-07',
  '--to',
  '2024-07',
  '--seed',
  seed,
  '--workers',
  workers,
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

  it('gives the same bytes as before, in this process or in threads, and others for another seed', async () => {
    const r1 = await runCli(seedArgs(a, '11', '1'));
    expect(r1.exitCode, r1.stderr).toBe(0);
    expect(r1.stdout).toMatch(/seeded 2 pairs, \d+ bars/);
    const r2 = await runCli(seedArgs(b, '11', '2'));
    expect(r2.exitCode, r2.stderr).toBe(0);
    const sequential = await checksums(a);
    expect(sequential).toEqual(BEFORE);
    expect(await checksums(b)).toEqual(sequential);
    expect((await runCli(seedArgs(b, '12', '2'))).exitCode).toBe(0);
    const other = await checksums(b);
    // Every table but time_features, which depends on the bar times only.
    for (const t of TABLES.filter((x) => !x.startsWith('time_features')))
      expect(other[t], t).not.toBe(sequential[t]);
    for (const p of PAIRS)
      expect(other[`time_features_${p}`]).toBe(sequential[`time_features_${p}`]);
    // Three seeds of two pairs: past a minute when the machine is busy.
  }, 240_000);

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

  it('fills bqx columns exactly as docs/spec/SCHEMA.md defines them', async () => {
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
      pairs: PAIRS,
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
      ['seed', '--db', a.url, '--workers', '0'],
    ]) {
      const r = await runCli(args);
      expect(r.exitCode, args.join(' ')).toBe(2);
      expect(r.stderr).toMatch(/^bqx-monitor: /);
      expect(r.stderr).not.toMatch(/\n\s+at /);
    }
  });
});

describe('seed in threads, killed', () => {
  let db: TestDatabase;
  beforeAll(async () => {
    db = await createTestDatabase({ empty: true });
  });
  afterAll(async () => {
    await db.drop();
  });

  it('leaves each pair whole or absent after a kill -9 of the seeding process', async () => {
    const pairs = ['eurusd', 'gbpusd', 'usdjpy'];
    const cli = execa(
      'node',
      [
        CLI,
        'seed',
        '--db',
        db.url,
        '--pairs',
        pairs.join(','),
        '--from',
        '2024-07',
        '--to',
        '2024-07',
        '--workers',
        '2',
      ],
      { reject: false, env: { NO_COLOR: '1' } },
    );
    // Two threads take eurusd and gbpusd; the first of them to commit frees one for usdjpy.
    const first = await new Promise<string>((resolve) => {
      cli.stderr!.on('data', (d: Buffer) => {
        const m = /seeding: (\w+) done/.exec(d.toString());
        if (m) resolve(m[1]!);
      });
    });
    cli.kill('SIGKILL');
    await cli;
    const present = new Map<string, number[]>();
    for (const p of pairs) {
      const counts: number[] = [];
      for (const k of KINDS) {
        const r = await db.pool.query(`SELECT to_regclass($1) IS NOT NULL AS ok`, [
          `bqx.${k}_${p}`,
        ]);
        if (!r.rows[0].ok) continue;
        const n = await db.pool.query(`SELECT count(*)::int AS n FROM bqx.${k}_${p}`);
        counts.push(n.rows[0].n);
      }
      present.set(p, counts);
    }
    expect(present.get(first)).toHaveLength(KINDS.length);
    expect(present.get('usdjpy')).toEqual([]); // it had only begun: rolled back
    for (const [p, counts] of present) {
      // All seven tables with every bar of July, or none of them.
      if (counts.length > 0) expect(counts, p).toEqual(KINDS.map(() => counts[0]));
      if (counts.length > 0) expect(counts[0], p).toBeGreaterThan(30_000);
      expect([0, KINDS.length], p).toContain(counts.length);
    }
  });
});

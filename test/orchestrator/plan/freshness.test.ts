import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { runCli } from '../../support/cli.js';
import { writeConfig } from '../../support/config.js';
import { parquetDigests, tableDigests } from '../../support/pipeline.js';
import { ranIn, runComplete } from '../../support/freshnessRuns.js';
import { changeSources, septemberRows, sourceTables } from '../../support/sourceChanges.js';
import { createTestDatabase, type TestDatabase } from '../../support/testDatabase.js';

const PAIRS = ['eurusd', 'usdjpy'];
const SCOPE = {
  pairs: PAIRS,
  months: {
    bollinger: { from: '2024-07', to: '2024-09' },
    regression: { from: '2024-07', to: '2024-09' },
  },
  run: { workers: { bollinger: 1, regression: 1, extraction: 1 }, snapshotSeconds: 1 },
};
const ALL_UNITS = [
  ...['bollinger', 'regression'].flatMap((t) =>
    ['2024-07', '2024-08', '2024-09'].flatMap((m) => PAIRS.map((p) => `${t}:${p}/${m}`)),
  ),
  ...PAIRS.map((p) => `extraction:${p}`),
];

const cleanups: Array<() => Promise<unknown>> = [];
afterAll(async () => {
  for (const c of cleanups.reverse()) await c().catch(() => {});
});

interface Setup {
  readonly db: TestDatabase;
  readonly out: string;
  cli(args: string[], env?: Record<string, string>): ReturnType<typeof runCli>;
}

async function setup(): Promise<Setup> {
  const db = await createTestDatabase();
  cleanups.push(() => db.drop());
  const dir = await mkdtemp(path.join(os.tmpdir(), 'bqx-fresh-'));
  cleanups.push(() => rm(dir, { recursive: true, force: true }));
  const config = await writeConfig(JSON.stringify(SCOPE));
  const out = path.join(dir, 'out');
  const globals = ['--data-dir', path.join(dir, 'data'), '--out', out, '--config', config];
  return {
    db,
    out,
    cli: (args, env = {}) =>
      runCli([...globals, ...args], { env: { DATABASE_URL: db.url, ...env }, timeout: 300_000 }),
  };
}

/** A run to its end with `--json`: exit 0, and its summary line. */
const run = (s: Setup, extra: string[] = []) => runComplete((args) => s.cli(args), extra);

/** `--dry-run --json`: the units a run would compute, keyed `track:unit`, with why. */
async function dryRun(s: Setup, env?: Record<string, string>): Promise<Record<string, string>> {
  const r = await s.cli(['run', '--dry-run', '--json'], env);
  expect(r.exitCode, r.stderr).toBe(0);
  const plan = JSON.parse(r.stdout) as {
    units: Array<{ track: string; unit: string; reason: string }>;
  };
  return Object.fromEntries(plan.units.map((u) => [`${u.track}:${u.unit}`, u.reason]));
}

/** Deletes `n` rows of a pair's m1 from a time on (its time order: n minutes). */
const m1Rows = (pair: string, from: string, n: number) =>
  `DELETE FROM bqx.m1_${pair} WHERE ctid IN (
     SELECT ctid FROM bqx.m1_${pair} WHERE time >= '${from}' ORDER BY time, ctid LIMIT ${n})`;

describe('a run brings every output up to date with its sources, and only what changed', {
  timeout: 900_000,
}, () => {
  it('recomputes exactly the units whose inputs changed; the outputs equal a full recompute', async () => {
    const s = await setup();
    await run(s);
    expect(await dryRun(s)).toEqual({});

    // September arrives for eurusd; 10 minutes of eurusd's August m1 are deleted; 50 bqx
    // values of usdjpy's July are corrected in place (same count, same times).
    await changeSources(
      s.db,
      [...sourceTables('eurusd').map((t) => t.table), 'bqx_usdjpy'],
      [
        ...(await septemberRows(s.db, 'eurusd')),
        { sql: m1Rows('eurusd', '2024-08-13 10:00', 10), rows: 10 },
        {
          sql: `UPDATE bqx.bqx_usdjpy SET w15_bqx_return = w15_bqx_return + 0.5
                 WHERE ts_utc IN (SELECT ts_utc FROM bqx.bqx_usdjpy
                   WHERE ts_utc >= '2024-07-10 00:00:00+00' ORDER BY ts_utc LIMIT 50)`,
          rows: 50,
        },
      ],
    );
    const newSeptember = await s.db.pool.query(
      `SELECT count(*)::int AS n FROM bqx.bqx_eurusd WHERE ts_utc >= '2024-09-01 00:00:00+00'`,
    );
    const n = (newSeptember.rows[0].n as number).toLocaleString('en-US');
    const expected = {
      'bollinger:eurusd/2024-09': `new rows (${n} now, none before)`,
      'regression:eurusd/2024-09': expect.stringMatching(/^new rows \([\d,]+ now, none before\)$/),
      'regression:eurusd/2024-08': 'rows changed (10 minutes deleted)',
      'extraction:eurusd': expect.stringMatching(
        /^new rows in 2024-09 \([\d,]+ now, none before\)$/,
      ),
      'bollinger:usdjpy/2024-07': 'values changed',
      'regression:usdjpy/2024-07': 'values changed',
    };
    // Before: the dry run says what a run would do, and why.
    expect(await dryRun(s)).toEqual(expected);
    const text = await s.cli(['run', '--dry-run']);
    expect(text.exitCode).toBe(0);
    expect(text.stdout).toMatch(
      /regression\s+eurusd\/2024-08\s+rows changed \(10 minutes deleted\)/,
    );
    expect(text.stdout).toContain('dry run: a run would compute 6 unit(s); nothing was run');

    // The run computes those and nothing else; after: each unit's reason is in its history.
    const second = await run(s);
    const ran = await ranIn(s.db, second['runId']);
    expect(ran).toEqual(expected);
    const mustNot = ALL_UNITS.filter((u) => !(u in expected));
    expect(mustNot).toHaveLength(ALL_UNITS.length - 6);
    for (const u of mustNot) expect(ran).not.toHaveProperty([u]);

    const verified = await s.cli(['verify']);
    expect(verified.exitCode, verified.stdout + verified.stderr).toBe(0);
    expect(await dryRun(s)).toEqual({});
    const third = await run(s);
    expect(await ranIn(s.db, third['runId'])).toEqual({});

    // The same outputs as a clean full recompute of the same database.
    const tables = await tableDigests(s.db, PAIRS);
    const files = await parquetDigests(s.out);
    const full = await run(s, ['--recompute', 'all']);
    expect(Object.keys(await ranIn(s.db, full['runId'])).sort()).toEqual([...ALL_UNITS].sort());
    expect(await tableDigests(s.db, PAIRS)).toEqual(tables);
    expect(await parquetDigests(s.out)).toEqual(files);
  });

  it('says why for a look-back change, a code version, an output gone; verify finds a correction', async () => {
    const s = await setup();
    await run(s);
    // A value among the last 119 rows of usdjpy's August: August and September's look-back.
    await changeSources(
      s.db,
      ['bqx_usdjpy'],
      [
        {
          sql: `UPDATE bqx.bqx_usdjpy SET w15_bqx_return = w15_bqx_return + 1
               WHERE ts_utc = (SELECT max(ts_utc) FROM bqx.bqx_usdjpy WHERE ts_utc < '2024-09-01 00:00:00+00')`,
          rows: 1,
        },
      ],
    );
    const v = await s.cli(['verify']);
    expect(v.exitCode).toBe(1);
    expect(v.stdout).toMatch(/bollinger usdjpy\/2024-08: stale: values changed/);
    expect(v.stdout).toMatch(
      /bollinger usdjpy\/2024-09: stale: look-back changed \(2024-08 changed\)/,
    );
    expect(await dryRun(s)).toEqual({
      'bollinger:usdjpy/2024-08': 'values changed',
      'bollinger:usdjpy/2024-09': 'look-back changed (2024-08 changed)',
      'regression:usdjpy/2024-08': 'values changed',
      'regression:usdjpy/2024-09': 'look-back changed (2024-08 changed)',
    });
    await run(s);
    expect(await dryRun(s)).toEqual({});

    // A code version bumped (the tests' hook): exactly that track's units.
    const bumped = await dryRun(s, { BQX_MONITOR_TEST_CODE_VERSIONS: 'regression=2' });
    expect(bumped).toEqual(
      Object.fromEntries(
        ALL_UNITS.filter((u) => u.startsWith('regression:')).map((u) => [
          u,
          'feature code v1 → v2',
        ]),
      ),
    );
    // An output gone: a deleted Parquet file, a dropped partition.
    await rm(path.join(s.out, 'usdjpy.parquet'));
    await s.db.pool.query('DROP TABLE bqx.reg_rate_eurusd_2024_07');
    expect(await dryRun(s)).toEqual({
      'extraction:usdjpy': 'output missing',
      'regression:eurusd/2024-07': 'output missing',
    });
  });
});

import { DIGEST_SCHEME } from '../../../src/db/fingerprint/digestSql.js';
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { runCli } from '../../support/cli.js';
import { writeConfig } from '../../support/config.js';
import { tableDigests } from '../../support/pipeline.js';
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
/** Where the pair's August is cut before the first run: the rest arrives later. */
const CUT = '2024-08-20 00:00:00+00';

const cleanups: Array<() => Promise<unknown>> = [];
afterAll(async () => {
  for (const c of cleanups.reverse()) await c().catch(() => {});
});

interface Setup {
  readonly db: TestDatabase;
  cli(args: string[]): ReturnType<typeof runCli>;
}

async function setup(): Promise<Setup> {
  const db = await createTestDatabase();
  cleanups.push(() => db.drop());
  const dir = await mkdtemp(path.join(os.tmpdir(), 'bqx-grow-'));
  cleanups.push(() => rm(dir, { recursive: true, force: true }));
  const config = await writeConfig(JSON.stringify(SCOPE));
  const globals = ['--data-dir', path.join(dir, 'data'), '--out', path.join(dir, 'out')];
  return {
    db,
    cli: (args) =>
      runCli([...globals, '--config', config, ...args], {
        env: { DATABASE_URL: db.url },
        timeout: 300_000,
      }),
  };
}

/** A run to its end with `--json`: exit 0, and its summary line. */
const run = (s: Setup, extra: string[] = []) => runComplete((args) => s.cli(args), extra);

/** Every row of a pair's September Bollinger output from its start, as text, in time order. */
async function septemberBollinger(db: TestDatabase, pair: string): Promise<string[]> {
  const r = await db.pool.query<{ t: string }>(
    `SELECT x::text AS t FROM bqx.bollinger_bqx_${pair} x
      WHERE ts_utc >= '2024-09-01 00:00:00+00' ORDER BY ts_utc LIMIT 500`,
  );
  return r.rows.map((x) => x.t);
}

/**
 * Moves the rows of a pair's sources from CUT on into holding tables (`hold_{table}`), so
 * the first run sees August only in part.
 */
async function holdAugustEnd(db: TestDatabase, pair: string): Promise<number> {
  let held = 0;
  for (const { table, time } of sourceTables(pair)) {
    await db.pool.query(
      `CREATE TABLE bqx.hold_${table} AS SELECT * FROM bqx.${table} WHERE ${time} >= '${CUT}'`,
    );
    const r = await db.pool.query(`DELETE FROM bqx.${table} WHERE ${time} >= '${CUT}'`);
    held += r.rowCount ?? 0;
  }
  return held;
}

/** INSERTs that give the held rows back to the pair's sources. */
function releaseAugustEnd(pair: string): Array<{ sql: string }> {
  return sourceTables(pair).map(({ table }) => ({
    sql: `INSERT INTO bqx.${table} SELECT * FROM bqx.hold_${table}`,
  }));
}

describe('a month still growing, and a database from before fingerprints', {
  timeout: 900_000,
}, () => {
  it('recomputes a month that grew; the next month then equals a single pass over the series', async () => {
    const s = await setup();
    expect(await holdAugustEnd(s.db, 'eurusd')).toBeGreaterThan(0);
    await run(s);

    // The rest of August arrives, and September after it.
    await changeSources(
      s.db,
      sourceTables('eurusd').map((t) => t.table),
      [...releaseAugustEnd('eurusd'), ...(await septemberRows(s.db, 'eurusd'))],
    );
    const grown = await run(s);
    const ran = await ranIn(s.db, grown['runId']);
    const newRows = /^new rows \([\d,]+ now, [\d,]+ before\)$/;
    const firstRows = /^new rows \([\d,]+ now, none before\)$/;
    expect(ran).toEqual({
      'bollinger:eurusd/2024-08': expect.stringMatching(newRows),
      'bollinger:eurusd/2024-09': expect.stringMatching(firstRows),
      'regression:eurusd/2024-08': expect.stringMatching(newRows),
      'regression:eurusd/2024-09': expect.stringMatching(firstRows),
      'extraction:eurusd': expect.any(String),
    });
    const september = await septemberBollinger(s.db, 'eurusd');
    expect(september.length).toBeGreaterThan(0);
    const tables = await tableDigests(s.db, PAIRS);

    // A single pass over the whole series: a clean recompute of the same data.
    await run(s, ['--recompute', 'all']);
    expect(await septemberBollinger(s.db, 'eurusd')).toEqual(september);
    expect(await tableDigests(s.db, PAIRS)).toEqual(tables);
  });

  it('adopts units recorded before fingerprints when their counts match; a mismatch is stale', async () => {
    const s = await setup();
    await run(s);
    const units = await s.db.pool.query<{ n: number }>(
      'SELECT count(*)::int AS n FROM bqx_monitor.unit_results',
    );
    const total = units.rows[0]!.n;

    // Recorded before fingerprints: adopted, nothing computed, fingerprints filled.
    await forgetFingerprints(s.db);
    const before = await historyKeys(s.db);
    const adopted = await s.cli(['run']);
    expect(adopted.exitCode, adopted.stderr).toBe(0);
    expect(adopted.stdout).toContain(
      `${total} unit(s) recorded by an earlier version adopted (their counts match the sources)`,
    );
    expect(await historyKeys(s.db)).toEqual(before);
    expect(await unfingerprinted(s.db)).toEqual([]);

    // Recorded with digests of an older scheme (hashes that cannot be compared): adopted by
    // counts the same way, and given today's digests.
    await olderDigests(s.db);
    const older = await s.cli(['run']);
    expect(older.exitCode, older.stderr).toBe(0);
    expect(older.stdout).toContain(
      `${total} unit(s) recorded by an earlier version adopted (their counts match the sources)`,
    );
    expect(await historyKeys(s.db)).toEqual(before);
    expect(await unfingerprinted(s.db)).toEqual([]);

    // One source month changed in count before the first run: exactly that unit runs.
    await forgetFingerprints(s.db);
    await changeSources(
      s.db,
      ['m1_eurusd'],
      [
        {
          sql: `DELETE FROM bqx.m1_eurusd WHERE ctid IN (SELECT ctid FROM bqx.m1_eurusd
                 WHERE time >= '2024-08-13 10:00' ORDER BY time, ctid LIMIT 10)`,
          rows: 10,
        },
      ],
    );
    const mismatch = await s.cli(['run']);
    expect(mismatch.exitCode, mismatch.stderr).toBe(0);
    expect(mismatch.stdout).toContain(
      `${total - 1} unit(s) recorded by an earlier version adopted (their counts match the sources)`,
    );
    const after = await historyKeys(s.db);
    const ran = after.filter((k) => !before.includes(k));
    expect(ran).toEqual([
      expect.stringMatching(
        /^\S+ regression:eurusd\/2024-08:rows changed \([\d,]+ now, [\d,]+ recorded\)$/,
      ),
    ]);
    expect(await unfingerprinted(s.db)).toEqual([]);
  });
});

/** Simulates a database written before fingerprints existed. */
async function forgetFingerprints(db: TestDatabase): Promise<void> {
  await db.pool.query('UPDATE bqx_monitor.unit_results SET fingerprint = NULL');
}

/** Simulates a database written by a version that hashed rows' text (digest scheme 1). */
async function olderDigests(db: TestDatabase): Promise<void> {
  await db.pool.query(
    `UPDATE bqx_monitor.unit_results SET fingerprint = jsonb_set(fingerprint - 'digest', '{parts}',
       (SELECT coalesce(jsonb_object_agg(k, jsonb_build_array(v->0, '12345')), '{}')
          FROM jsonb_each(fingerprint->'parts') AS p(k, v)))
      WHERE fingerprint IS NOT NULL`,
  );
}

/** Every history row, as `track:unit:reason` keyed by its run. */
async function historyKeys(db: TestDatabase): Promise<string[]> {
  const r = await db.pool.query<{ k: string }>(
    `SELECT run_id || ' ' || track || ':' || unit || ':' || coalesce(reason, '') AS k
       FROM bqx_monitor.unit_history ORDER BY 1`,
  );
  return r.rows.map((x) => x.k);
}

/** The units whose outcome has no fingerprint. */
async function unfingerprinted(db: TestDatabase): Promise<string[]> {
  const r = await db.pool.query<{ k: string }>(
    `SELECT track || ':' || unit AS k FROM bqx_monitor.unit_results
      WHERE fingerprint IS NULL OR (fingerprint->>'digest')::int IS DISTINCT FROM $1`,
    [DIGEST_SCHEME],
  );
  return r.rows.map((x) => x.k);
}

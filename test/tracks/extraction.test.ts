import { tempDir } from '../support/tempDirs.js';
import { readdir, readFile, stat, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { execa } from 'execa';
import { asyncBufferFromFile, parquetMetadataAsync, parquetReadObjects } from 'hyparquet';
import { compressors } from 'hyparquet-compressors';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PHASE1_TABLE_NAMES, PHASE1_TABLES } from '../../src/db/contract/columns.js';
import { ident } from '../../src/db/sql/ident.js';
import { CLI, runCli } from '../support/cli.js';
import { parseEvents } from '../support/events.js';
import { createTestDatabase, type TestDatabase } from '../support/testDatabase.js';

const COLUMNS = PHASE1_TABLE_NAMES.flatMap((t) =>
  PHASE1_TABLES[t].map((c) => ({ table: t, ...c })),
);
const ALIAS: Record<string, string> = {
  bollinger_rate: 'b',
  statistics_rate: 's',
  volume_features: 'v',
  spread_features: 'p',
  time_features: 't',
};

/** The join straight from the database, independently of the extraction's SQL. */
async function joinFromDb(db: TestDatabase, pair: string) {
  const select = COLUMNS.map((c) => `${ALIAS[c.table]}.${c.name}`).join(', ');
  const r = await db.pool.query({
    text: `SELECT b.ts_utc, ${select} FROM bqx.bollinger_rate_${pair} b
      JOIN bqx.statistics_rate_${pair} s USING (ts_utc) JOIN bqx.volume_features_${pair} v USING (ts_utc)
      JOIN bqx.spread_features_${pair} p USING (ts_utc) JOIN bqx.time_features_${pair} t USING (ts_utc)
      ORDER BY 1`,
    rowMode: 'array',
  });
  return r.rows as unknown[][];
}

async function readParquet(file: string) {
  const buf = await asyncBufferFromFile(file);
  const meta = await parquetMetadataAsync(buf);
  const rows = (await parquetReadObjects({ file: buf, compressors })) as Record<string, unknown>[];
  return { meta, rows };
}

describe('Track 3: extraction to Parquet', () => {
  let db: TestDatabase;
  let out: string;
  beforeAll(async () => {
    db = await createTestDatabase();
    out = await tempDir('bqx-out-');
    // Values that only an exact path preserves.
    await db.pool.query(`UPDATE bqx.bollinger_rate_eurusd SET bollinger_upper_20 = '-0', bb_upper_30 = 'NaN',
      bb_lower_30 = 'Infinity', bb_width_30 = 4.9e-324, bb_upper_60 = 0.1::float8 + 0.2::float8
      WHERE ts_utc = (SELECT ts_utc FROM bqx.bollinger_rate_eurusd ORDER BY ts_utc OFFSET 500 LIMIT 1)`);
    await db.pool.query(`UPDATE bqx.spread_features_eurusd SET tick_direction = NULL, tick_rule = -32768
      WHERE ts_utc = (SELECT ts_utc FROM bqx.spread_features_eurusd ORDER BY ts_utc OFFSET 501 LIMIT 1)`);
  });
  afterAll(async () => {
    await db.drop();
  });

  it('writes the join with every value and type equal to the database, read back independently', async () => {
    const r = await runCli([
      'track',
      'extraction',
      '--pair',
      'eurusd',
      '--out',
      out,
      '--db',
      db.url,
    ]);
    expect(r.exitCode, r.stderr).toBe(0);
    const done = parseEvents(r.stdout).find((e) => e.type === 'unit_done');
    const file = path.join(out, 'eurusd.parquet');
    expect(done).toMatchObject({ unit: 'eurusd', path: file, bytes: (await stat(file)).size });
    const expected = await joinFromDb(db, 'eurusd');
    const { meta, rows } = await readParquet(file);
    expect(Number(meta.num_rows)).toBe(expected.length);
    expect(rows.length).toBe(expected.length);
    expect(done).toMatchObject({ rows: expected.length });
    // The time split: streaming the join, the encoder thread's CPU, then the file in place.
    const split = (done as { split?: { load: number; compute: number; write: number } }).split;
    expect(split?.load).toBeGreaterThan(0);
    expect(split?.compute).toBeGreaterThan(0);
    expect(split?.write).toBeGreaterThanOrEqual(0);
    expect(split!.load + split!.write).toBeLessThanOrEqual((done as { ms: number }).ms + 1);
    // Column order and physical types as docs/spec/SCHEMA.md / docs/spec/FEATURES.md ask.
    const leaves = meta.schema.slice(1);
    expect(leaves.map((s) => s.name)).toEqual(['ts_utc', ...COLUMNS.map((c) => c.name)]);
    expect(leaves[0]).toMatchObject({
      type: 'INT64',
      logical_type: { type: 'TIMESTAMP', isAdjustedToUTC: true, unit: 'MICROS' },
    });
    const byName = new Map(leaves.map((s) => [s.name, s]));
    expect(byName.get('tick_direction')).toMatchObject({
      type: 'INT32',
      logical_type: { type: 'INTEGER', bitWidth: 16 },
    });
    expect(byName.get('minutes_since_market_open')?.type).toBe('INT32');
    expect(byName.get('is_weekend_approach')?.type).toBe('BOOLEAN');
    expect(byName.get('trading_session')?.type).toBe('BYTE_ARRAY');
    expect(byName.get('bb_upper_30')?.type).toBe('DOUBLE');
    const kv = Object.fromEntries((meta.key_value_metadata ?? []).map((x) => [x.key, x.value]));
    expect(kv).toMatchObject({
      pair: 'eurusd',
      row_count: String(expected.length),
      tool: expect.stringMatching(/^bqx-monitor /),
    });
    expect(kv['source_tables']).toContain('bqx.time_features_eurusd');
    const mismatches: string[] = [];
    let nulls = 0;
    for (let i = 0; i < expected.length && mismatches.length < 5; i++) {
      const want = expected[i]!;
      const got = rows[i]!;
      if ((got['ts_utc'] as Date).getTime() !== (want[0] as Date).getTime())
        mismatches.push(`row ${i} ts_utc`);
      COLUMNS.forEach((c, j) => {
        const w = want[j + 1];
        const g = got[c.name];
        if (w === null) nulls++;
        const same = c.type === 'float8' && w !== null ? Object.is(g, Number(w)) : g === w;
        if (!same) mismatches.push(`row ${i} ${c.name}: parquet ${String(g)} db ${String(w)}`);
      });
    }
    expect(mismatches).toEqual([]);
    expect(nulls).toBeGreaterThan(1000);
    const special = rows[500]!;
    expect(Object.is(special['bollinger_upper_20'], -0)).toBe(true);
    expect(special['bb_upper_30']).toBeNaN();
    expect(special['bb_lower_30']).toBe(Number.POSITIVE_INFINITY);
    expect(special['bb_width_30']).toBe(4.9e-324);
    expect(special['bb_upper_60']).toBe(0.1 + 0.2);
    expect(rows[501]).toMatchObject({ tick_direction: null, tick_rule: -32768 });
  });

  it('writes the key-value metadata of every run in one fixed order', {
    timeout: 180_000,
  }, async () => {
    const orders: string[][] = [];
    const created: string[] = [];
    for (let run = 0; run < 2; run++) {
      const dir = await tempDir('bqx-meta-');
      const r = await runCli([
        'track',
        'extraction',
        '--pair',
        'eurusd',
        '--out',
        dir,
        '--db',
        db.url,
      ]);
      expect(r.exitCode, r.stderr).toBe(0);
      const { meta } = await readParquet(path.join(dir, 'eurusd.parquet'));
      const kv = meta.key_value_metadata ?? [];
      orders.push(kv.map((x) => x.key));
      created.push(kv.find((x) => x.key === 'created_at')?.value ?? '');
    }
    expect(orders[1]).toEqual(orders[0]);
    // Ours first, in the order written, then the Arrow schema parquet-wasm adds.
    expect(orders[0]).toEqual([
      'pair',
      'row_count',
      'source_tables',
      'tool',
      'created_at',
      'ARROW:schema',
    ]);
    for (const at of created) expect(Number.isNaN(Date.parse(at))).toBe(false);
  });

  it('ends a pair whose join is empty as "empty", with no file', async () => {
    await db.pool.query('DELETE FROM bqx.time_features_usdjpy');
    const r = await runCli([
      'track',
      'extraction',
      '--pair',
      'usdjpy',
      '--out',
      out,
      '--db',
      db.url,
    ]);
    expect(r.exitCode, r.stderr).toBe(0);
    expect(parseEvents(r.stdout).map((e) => e.type)).toContain('unit_empty');
    expect(await readdir(out)).not.toContain('usdjpy.parquet');
  });

  it('fails a pair with a missing Phase-1 table before opening any file', async () => {
    const other = await createTestDatabase();
    try {
      await other.pool.query('DROP TABLE bqx.volume_features_usdjpy');
      const doctor = await runCli(['doctor', '--db', other.url]);
      expect(doctor.stdout).toContain('missing table volume_features_usdjpy');
      const dir = await tempDir('bqx-out-');
      const r = await runCli([
        'track',
        'extraction',
        '--pair',
        'usdjpy',
        '--out',
        dir,
        '--db',
        other.url,
      ]);
      expect(r.exitCode).toBe(1);
      const failed = parseEvents(r.stdout).find((e) => e.type === 'unit_failed');
      expect(failed).toMatchObject({
        unit: 'usdjpy',
        message: expect.stringContaining('volume_features_usdjpy does not exist'),
      });
      expect(await readdir(dir)).toEqual([]);
    } finally {
      await other.drop();
    }
  });

  it('keeps the previous file when killed mid-write and cleans the leftover on the next run', async () => {
    const dir = await tempDir('bqx-out-');
    const file = path.join(dir, 'eurusd.parquet');
    await writeFile(file, 'previous contents');
    const child = execa(
      'node',
      [CLI, 'track', 'extraction', '--pair', 'eurusd', '--out', dir, '--db', db.url],
      {
        reject: false,
      },
    );
    // Killed once its temporary file exists: mid-write (however long a loaded machine takes to get there).
    let temp: string | undefined;
    await expect
      .poll(
        async () => {
          temp = (await readdir(dir)).find((f) => f.endsWith('.tmp'));
          return temp;
        },
        { timeout: 120_000, interval: 10 },
      )
      .toBeDefined();
    child.kill('SIGKILL');
    await child;
    expect(await readFile(file, 'utf8')).toBe('previous contents');
    expect(await readdir(dir)).toContain(temp);
    const again = await runCli([
      'track',
      'extraction',
      '--pair',
      'eurusd',
      '--out',
      dir,
      '--db',
      db.url,
    ]);
    expect(again.exitCode, again.stderr).toBe(0);
    expect(await readdir(dir)).toEqual(['eurusd.parquet']);
    const { meta } = await readParquet(file);
    expect(Number(meta.num_rows)).toBeGreaterThan(60_000);
  });
  it('fails on a full disk mid-write with a clear error: previous file kept, no leftover, no hang', {
    timeout: 300_000,
  }, async () => {
    // Four years of USDJPY (the template's two months, three more times a year later): eight
    // row groups, so the disk fills while the COPY is still being read.
    const big = await createTestDatabase();
    try {
      for (const table of PHASE1_TABLE_NAMES) {
        const name = `${table}_usdjpy`;
        const cols = await big.pool.query(
          `SELECT column_name FROM information_schema.columns
            WHERE table_schema = 'bqx' AND table_name = $1 AND column_name <> 'ts_utc'
            ORDER BY ordinal_position`,
          [name],
        );
        const list = cols.rows.map((r) => ident(r.column_name)).join(', ');
        for (const years of [1, 2, 3]) {
          await big.pool.query(
            `INSERT INTO bqx.${ident(name)} (ts_utc, ${list})
             SELECT ts_utc + make_interval(years => $1), ${list} FROM bqx.${ident(name)}
              WHERE ts_utc < '2025-01-01'`,
            [years],
          );
        }
      }
      // A private 2 MB tmpfs (its own mount namespace: gone with the process, whatever happens).
      const out = await tempDir('bqx-full-');
      const script = [
        `mount -t tmpfs -o size=2m tmpfs '${out}' || exit 99`,
        `printf 'previous contents' > '${out}/usdjpy.parquet'`,
        `node '${CLI}' track extraction --pair usdjpy --out '${out}'`,
        'echo "RC=$?"',
        `echo "FILES=$(ls -A '${out}' | tr '\\n' ' ')"`,
        `echo "PREV=$(cat '${out}/usdjpy.parquet')"`,
      ].join('\n');
      const r = await execa('unshare', ['--mount', 'sh', '-c', script], {
        env: { DATABASE_URL: big.url },
        reject: false,
        timeout: 120_000,
      });
      expect(r.exitCode, r.stderr).toBe(0);
      const lines = String(r.stdout).split('\n');
      const events = parseEvents(lines.filter((l) => l.startsWith('{')).join('\n'));
      const failed = events.find((e) => e.type === 'unit_failed');
      expect(failed, r.stdout).toMatchObject({ unit: 'usdjpy' });
      expect(failed?.type === 'unit_failed' && failed.message).toMatch(/ENOSPC|no space/i);
      expect(events.some((e) => e.type === 'unit_done')).toBe(false);
      expect(lines).toContain('RC=1');
      expect(lines).toContain('FILES=usdjpy.parquet ');
      expect(lines).toContain('PREV=previous contents');
      expect(r.stderr).not.toMatch(/\n\s+at /);

      // A worker goes on after the failure: the failed unit's encoder thread is not
      // reused (its state is unknown), the next unit gets a new one and later units share it.
      const good = await tempDir('bqx-after-full-');
      const inTurn = path.resolve(CLI, '../../../test/fixtures/extractInTurn.js');
      const turn = await execa(
        'unshare',
        [
          '--mount',
          'sh',
          '-c',
          `mount -t tmpfs -o size=2m tmpfs '${out}' || exit 99
           exec node '${inTurn}' "$DATABASE_URL" eurusd='${good}' usdjpy='${out}' eurusd='${good}' eurusd='${good}'`,
        ],
        { env: { DATABASE_URL: big.url }, reject: false, timeout: 180_000 },
      );
      expect(turn.exitCode, turn.stderr).toBe(0);
      const outcomes = String(turn.stdout)
        .trim()
        .split('\n')
        .map((l) => JSON.parse(l));
      expect(outcomes.map((o) => `${o.pair} ${o.status}`)).toEqual([
        'eurusd done',
        'usdjpy failed',
        'eurusd done',
        'eurusd done',
      ]);
      expect(outcomes[1].error).toMatch(/ENOSPC|no space/i);
      const threads = outcomes.map((o) => o.nextThread);
      expect(threads[1]).not.toBe(threads[0]);
      expect(threads[2]).toBe(threads[1]);
      expect(threads[3]).toBe(threads[1]);
      expect(await readdir(good)).toEqual(['eurusd.parquet']);
      const { meta, rows } = await readParquet(path.join(good, 'eurusd.parquet'));
      expect(Number(meta.num_rows)).toBe(outcomes[3].rows);
      expect(rows.length).toBe(outcomes[0].rows);
    } finally {
      await big.drop();
    }
  });
});

// `npm run bench -- --only seed-profile`: where a seeded pair-year's time goes, step by step
// on one thread: generating each table (JavaScript), encoding it for binary COPY, and on
// the server the COPY, the index builds, ANALYZE and the commit (which syncs the files under
// wal_level = minimal). Also what the first read of freshly COPYed rows writes to the WAL
// with and without FREEZE. In a schema of its own, dropped afterwards.
import type pg from 'pg';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { from as copyFrom } from 'pg-copy-streams';
import { settingsFrom } from '../src/config/validate.js';
import type { TableKey } from '../src/config/schema.js';
import { monthRange, monthStartMs, nextMonth, parseMonth } from '../src/config/months.js';
import { tableName } from '../src/db/contract/physical.js';
import { CONTRACT } from '../src/db/contract/tables.js';
import { binaryCopyStream } from '../src/db/copy/binaryColumns.js';
import { ident } from '../src/db/sql/ident.js';
import { pairTables } from '../src/tracks/seed/pairTables.js';
import type { SeedPlan } from '../src/tracks/seed/presets.js';
import {
  sourceIndexDdl,
  sourcePartitionName,
  sourceTablesDdl,
} from '../src/tracks/seed/sourceDdl.js';
import { timed } from './stats.js';

const SCHEMA = 'bqx_seed_profile';
const m = (s: string) => parseMonth(s)!;
const PLAN: SeedPlan = {
  preset: 'profile',
  pairs: ['eurusd'],
  data: { from: m('2024-07'), to: m('2025-06') },
  bollinger: { from: m('2024-07'), to: m('2025-06') },
  regression: { from: m('2024-07'), to: m('2025-06') },
  seed: 42,
};

/** One table's steps, in ms, and its encoded size. */
export interface TableProfile {
  readonly table: string;
  readonly generate_ms: number;
  readonly encode_ms: number;
  readonly copy_ms: number;
  readonly mb: number;
}

export interface SeedProfile {
  readonly bars: number;
  readonly tables: TableProfile[];
  readonly ddl_ms: number;
  readonly keys_ms: number;
  readonly analyze_ms: number;
  readonly commit_ms: number;
  readonly total_ms: number;
  /** WAL written by the first full read of a freshly COPYed table (statistics_rate). */
  readonly first_read_wal_mb: { plain: number; freeze: number };
}

async function copyBuffers(c: pg.ClientBase, sql: string, chunks: Buffer[]) {
  await pipeline(Readable.from(chunks), c.query(copyFrom(sql)));
}

const lsn = async (c: pg.ClientBase) =>
  (await c.query('SELECT pg_current_wal_lsn()::text AS l')).rows[0].l as string;
const walSince = async (c: pg.ClientBase, from: string) =>
  Number(
    (await c.query(`SELECT pg_wal_lsn_diff(pg_current_wal_lsn(), $1)::float8 AS d`, [from])).rows[0]
      .d,
  );

/** Profiles one pair-year of the seed on `client` (a session of the bench's server). */
export async function profileSeed(client: pg.ClientBase): Promise<SeedProfile> {
  const settings = settingsFrom({ schema: SCHEMA });
  const pair = PLAN.pairs[0]!;
  await client.query(`DROP SCHEMA IF EXISTS ${SCHEMA} CASCADE`);
  await client.query(`CREATE SCHEMA ${SCHEMA}`);
  try {
    const encoded: Array<{ key: TableKey; parts: Array<{ table: string; chunks: Buffer[] }> }> = [];
    const tables: Array<Omit<TableProfile, 'copy_ms'>> = [];
    let bars = 0;
    const start = performance.now();
    const gen = pairTables(PLAN, pair);
    for (;;) {
      const t0 = performance.now();
      const t = gen.next();
      const g = performance.now() - t0;
      if (t.done) break;
      const table = t.value;
      bars = table.time.length;
      const parts: Array<{ table: string; chunks: Buffer[] }> = [];
      const e = await timed(async () => {
        const ranges = CONTRACT[table.key].monthlyPartitions
          ? monthRange(PLAN.data.from, PLAN.data.to).map((x) => ({
              name: sourcePartitionName(settings, table.key, pair, x),
              from: monthStartMs(x),
              to: monthStartMs(nextMonth(x)),
            }))
          : [{ name: tableName(settings, table.key, pair), from: -Infinity, to: Infinity }];
        for (const r of ranges) {
          let lo = 0;
          while (lo < bars && table.time[lo]! < r.from) lo++;
          let hi = lo;
          while (hi < bars && table.time[hi]! < r.to) hi++;
          parts.push({ table: r.name, chunks: [...binaryCopyStream(table.columns, lo, hi)] });
        }
      });
      const mb = parts.reduce((n, p) => n + p.chunks.reduce((k, c) => k + c.length, 0), 0) / 1e6;
      encoded.push({ key: table.key, parts });
      tables.push({ table: table.key, generate_ms: g, encode_ms: e, mb });
    }
    const copyMs: number[] = [];
    await client.query('BEGIN');
    await client.query('SET LOCAL synchronous_commit = on');
    await client.query('SET LOCAL max_parallel_maintenance_workers = 0');
    const ddl = await timed(() =>
      client.query(sourceTablesDdl(client, settings, pair, PLAN.data).join(';\n')),
    );
    for (const t of encoded) {
      copyMs.push(
        await timed(async () => {
          for (const p of t.parts)
            await copyBuffers(
              client,
              `COPY ${SCHEMA}.${p.table} FROM STDIN (FORMAT binary, FREEZE)`,
              p.chunks,
            );
        }),
      );
    }
    const keys = await timed(() => client.query(sourceIndexDdl(settings, pair).join(';\n')));
    const analyze = await timed(() =>
      client.query(
        `ANALYZE ${encoded.map((t) => `${SCHEMA}.${tableName(settings, t.key, pair)} (${ident(CONTRACT[t.key].timeColumn)})`).join(', ')}`,
      ),
    );
    const commit = await timed(() => client.query('COMMIT'));
    const total = performance.now() - start;
    // The first read of rows COPYed without FREEZE sets their hint bits: with data
    // checksums, each page's first change after a checkpoint is logged whole.
    const stats = encoded.find((t) => t.key === 'statistics_rate')!.parts[0]!;
    const firstRead = async (freeze: boolean) => {
      const name = `${SCHEMA}.first_read_${freeze ? 'freeze' : 'plain'}`;
      await client.query('BEGIN');
      await client.query(`CREATE TABLE ${name} (LIKE ${SCHEMA}.${stats.table})`);
      await copyBuffers(
        client,
        `COPY ${name} FROM STDIN (FORMAT binary${freeze ? ', FREEZE' : ''})`,
        stats.chunks,
      );
      await client.query('COMMIT');
      await client.query('CHECKPOINT');
      const from = await lsn(client);
      await client.query(`SELECT count(*) FROM ${name}`);
      return (await walSince(client, from)) / 1e6;
    };
    const first_read_wal_mb = { plain: await firstRead(false), freeze: await firstRead(true) };
    return {
      bars,
      tables: tables.map((t, i) => ({ ...t, copy_ms: copyMs[i]! })),
      ddl_ms: ddl,
      keys_ms: keys,
      analyze_ms: analyze,
      commit_ms: commit,
      total_ms: total,
      first_read_wal_mb,
    };
  } finally {
    await client.query('ROLLBACK').catch(() => {});
    await client.query(`DROP SCHEMA IF EXISTS ${SCHEMA} CASCADE`);
  }
}

/** The profile as a table. */
export function printSeedProfile(p: SeedProfile, write: (s: string) => void): void {
  const head = ['table', 'generate', 'encode', 'COPY', 'MB'];
  const ms = (x: number) => `${x.toFixed(0)} ms`;
  const rows = p.tables.map((t) => [
    t.table,
    ms(t.generate_ms),
    ms(t.encode_ms),
    ms(t.copy_ms),
    t.mb.toFixed(0),
  ]);
  const sum = (k: 'generate_ms' | 'encode_ms' | 'copy_ms') =>
    p.tables.reduce((n, t) => n + t[k], 0);
  rows.push([
    'all',
    ms(sum('generate_ms')),
    ms(sum('encode_ms')),
    ms(sum('copy_ms')),
    p.tables.reduce((n, t) => n + t.mb, 0).toFixed(0),
  ]);
  const widths = head.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i]!.length)));
  const line = (c: string[]) => c.map((x, i) => x.padStart(widths[i]!)).join('  ');
  write(
    `seed profile, one pair-year (${p.bars} bars) on one thread:\n${line(head)}\n${widths.map((w) => '-'.repeat(w)).join('  ')}\n`,
  );
  for (const r of rows) write(`${line(r)}\n`);
  write(
    `then DDL ${ms(p.ddl_ms)}, keys and m1 index ${ms(p.keys_ms)}, ANALYZE of the time columns ${ms(p.analyze_ms)}, COMMIT (syncs the files) ${ms(p.commit_ms)}; ${(p.total_ms / 1000).toFixed(1)} s in all\n`,
  );
  write(
    `first read of a freshly COPYed statistics_rate table: ${p.first_read_wal_mb.plain.toFixed(0)} MB of WAL without FREEZE, ${p.first_read_wal_mb.freeze.toFixed(1)} MB with\n`,
  );
}

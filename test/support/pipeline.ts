import { createHash } from 'node:crypto';
import { readdir } from 'node:fs/promises';
import path from 'node:path';
import { asyncBufferFromFile, parquetReadObjects } from 'hyparquet';
import { compressors } from 'hyparquet-compressors';
import type { TestDatabase } from './testDatabase.js';

/** One NDJSON line of `run --json`. */
export type JsonLine = Record<string, unknown> & { kind: string };

/** Parses `run --json` output; throws on any line that is not JSON. */
export function parseJsonLines(stdout: string): JsonLine[] {
  return stdout
    .split('\n')
    .filter((l) => l.length > 0)
    .map((l) => JSON.parse(l) as JsonLine);
}

const OUTPUT_TABLES = ['bollinger_bqx', 'reg_rate', 'reg_bqx'];

/** A digest of every output row of Tracks 1–2 per table, order-independent. */
export async function tableDigests(db: TestDatabase, pairs: readonly string[]) {
  const out: Record<string, string> = {};
  for (const pair of pairs) {
    for (const t of OUTPUT_TABLES) {
      const r = await db.pool.query(
        `SELECT count(*)::int AS n, md5(coalesce(string_agg(x::text, '|' ORDER BY x::text), '')) AS h
           FROM bqx.${t}_${pair} x`,
      );
      out[`${t}_${pair}`] = `${r.rows[0].n}:${r.rows[0].h}`;
    }
  }
  return out;
}

function valueText(v: unknown): string {
  if (typeof v === 'number') return Object.is(v, -0) ? '-0' : String(v);
  if (typeof v === 'bigint') return `${v}n`;
  if (v instanceof Date) return v.toISOString();
  if (v === null || v === undefined) return 'null';
  return JSON.stringify(v);
}

/** A digest of every value of every Parquet file in a directory (read with hyparquet). */
export async function parquetDigests(dir: string) {
  const out: Record<string, string> = {};
  for (const f of (await readdir(dir)).filter((n) => n.endsWith('.parquet')).sort()) {
    const rows = (await parquetReadObjects({
      file: await asyncBufferFromFile(path.join(dir, f)),
      compressors,
    })) as Record<string, unknown>[];
    const h = createHash('md5');
    for (const r of rows) h.update(`${Object.values(r).map(valueText).join(',')}\n`);
    out[f] = `${rows.length}:${h.digest('hex')}`;
  }
  return out;
}

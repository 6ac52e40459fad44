import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import type pg from 'pg';
import { from as copyFrom } from 'pg-copy-streams';
import { ident, qualified } from '../sql/ident.js';

/** Rows encoded per chunk: large enough to amortise, small enough to stream. */
const ROWS_PER_CHUNK = 4096;

/**
 * Bulk-loads `rowCount` rows into `schema.table(columns)` with COPY FROM STDIN (text
 * format). `encodeRow(i)` returns row i's fields already encoded (see encode.ts).
 * Returns the bytes sent. Runs inside whatever transaction the client is in; `freeze` as
 * for `copyInBinary`.
 */
export async function copyIn(
  client: pg.ClientBase,
  target: { schema: string; table: string; columns: readonly string[] },
  rowCount: number,
  options: { freeze?: boolean },
  encodeRow: (i: number) => string[],
): Promise<number> {
  const freeze = options.freeze ? ' (FREEZE)' : '';
  const sql = `COPY ${qualified(target.schema, target.table)} (${target.columns.map(ident).join(', ')}) FROM STDIN${freeze}`;
  let bytes = 0;
  function* chunks(): Generator<string> {
    for (let start = 0; start < rowCount; start += ROWS_PER_CHUNK) {
      const end = Math.min(rowCount, start + ROWS_PER_CHUNK);
      let text = '';
      for (let i = start; i < end; i++) text += `${encodeRow(i).join('\t')}\n`;
      bytes += Buffer.byteLength(text);
      yield text;
    }
  }
  await pipeline(Readable.from(chunks()), client.query(copyFrom(sql)));
  return bytes;
}

/**
 * Bulk-loads an already encoded binary COPY stream. Returns the bytes sent. `freeze`
 * writes the rows frozen and all-visible (the table must have been created or truncated
 * in this transaction): their first readers then set no hint bits, which on a cluster
 * with data checksums would each write a page image to the WAL.
 */
export async function copyInBinary(
  client: pg.ClientBase,
  target: { schema: string; table: string; columns: readonly string[] },
  chunks: Iterable<Buffer>,
  options: { freeze?: boolean } = {},
): Promise<number> {
  const format = options.freeze ? 'FORMAT binary, FREEZE' : 'FORMAT binary';
  const sql = `COPY ${qualified(target.schema, target.table)} (${target.columns.map(ident).join(', ')}) FROM STDIN (${format})`;
  let bytes = 0;
  function* counted(): Generator<Buffer> {
    for (const c of chunks) {
      bytes += c.length;
      yield c;
    }
  }
  await pipeline(Readable.from(counted()), client.query(copyFrom(sql)));
  return bytes;
}

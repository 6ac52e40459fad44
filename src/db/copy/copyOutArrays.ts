import { Writable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import type pg from 'pg';
import { to as copyTo } from 'pg-copy-streams';

/**
 * Element types of the one-dimensional arrays `copyOutArrays` decodes. `timestamp`
 * (timestamp or timestamptz) gives epoch microseconds; `tid` gives block · 65536 + offset,
 * which orders rows as their physical position (ctid) does.
 */
export type ArrayElement = 'timestamp' | 'float8' | 'tid';

/** Microseconds between the Unix epoch and PostgreSQL's (2000-01-01). */
const PG_EPOCH_US = 946_684_800_000_000;
const SIGNATURE = Buffer.from('PGCOPY\n\xff\r\n\0', 'latin1');

/** Reads a big-endian int64 below 2^53 in magnitude as a number. */
function int64At(view: DataView, p: number): number {
  return view.getInt32(p) * 2 ** 32 + view.getUint32(p + 4);
}

/** Decodes one binary array value (ndim ≤ 1) into doubles; NULL elements become NaN. */
function decodeArray(view: DataView, p: number, len: number, type: ArrayElement): Float64Array {
  const end = p + len;
  const ndim = view.getInt32(p);
  if (ndim === 0) return new Float64Array(0);
  if (ndim !== 1) throw new Error(`expected a one-dimensional array, got ${ndim} dimensions`);
  const n = view.getInt32(p + 12);
  let q = p + 20; // ndim, flags, element oid, then size and lower bound of the dimension
  const out = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    const size = view.getInt32(q);
    q += 4;
    if (size < 0) {
      out[i] = Number.NaN;
      continue;
    }
    if (q + size > end) throw new Error('array element beyond the value');
    switch (type) {
      case 'float8':
        out[i] = view.getFloat64(q);
        break;
      case 'timestamp':
        out[i] = int64At(view, q) + PG_EPOCH_US;
        break;
      case 'tid':
        out[i] = view.getUint32(q) * 65536 + view.getUint16(q + 4);
        break;
    }
    q += size;
  }
  return out;
}

/**
 * Runs `COPY (query) TO STDOUT (FORMAT binary)` for a query returning ONE row of
 * one-dimensional arrays (e.g. `SELECT array_agg(…), array_agg(…) FROM …`) and decodes them
 * (a NULL array, as `array_agg` gives over no rows, is empty). One row of arrays instead of
 * a row per value: on the server one message instead of tens of thousands, on the client
 * no per-row parsing.
 */
export async function copyOutArrays(
  client: pg.ClientBase,
  query: string,
  types: readonly ArrayElement[],
): Promise<Float64Array[]> {
  const parts: Buffer[] = [];
  const sink = new Writable({
    write(chunk: Buffer, _enc, cb) {
      parts.push(chunk);
      cb();
    },
  });
  await pipeline(client.query(copyTo(`COPY (${query}) TO STDOUT (FORMAT binary)`)), sink);
  const buf = Buffer.concat(parts);
  const view = new DataView(buf.buffer, buf.byteOffset, buf.byteLength);
  if (buf.length < 21 || !buf.subarray(0, 11).equals(SIGNATURE))
    throw new Error('not a binary COPY stream');
  let p = 19 + view.getUint32(15);
  const fields = view.getInt16(p);
  if (fields !== types.length)
    throw new Error(`COPY row has ${fields} fields, expected ${types.length}`);
  p += 2;
  const out: Float64Array[] = [];
  for (const type of types) {
    const len = view.getInt32(p);
    p += 4;
    if (len < 0) {
      out.push(new Float64Array(0));
      continue;
    }
    out.push(decodeArray(view, p, len, type));
    p += len;
  }
  if (view.getInt16(p) !== -1) throw new Error('expected exactly one row of arrays');
  return out;
}

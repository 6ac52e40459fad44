/**
 * Binary COPY encoder for columnar data of several types (the demo seeder's source
 * tables). The server stores exactly what text COPY of the same values gave — doubles
 * keep their bits, integers are truncated, non-finite numbers are NULL — without parsing
 * ~30 characters a field back.
 */

/** One column to encode, with the wire type of its table column. */
export type BinaryColumn =
  /** Epoch milliseconds, for `timestamp` and `timestamptz` alike (one binary format). */
  | { readonly type: 'timestamp'; readonly ms: Float64Array }
  | { readonly type: 'float8'; readonly values: Float64Array }
  /** Whole numbers held as doubles: truncated; NaN and ±Infinity are NULL. */
  | { readonly type: 'int2' | 'int4' | 'int8'; readonly values: Float64Array }
  | { readonly type: 'bool'; readonly values: Uint8Array }
  | { readonly type: 'text'; readonly values: readonly (string | null)[] };

const SIGNATURE = Buffer.from('PGCOPY\n\xff\r\n\0', 'latin1');
/** Milliseconds between the Unix epoch and PostgreSQL's (2000-01-01). */
const PG_EPOCH_MS = 946_684_800_000;
const TWO_32 = 2 ** 32;
const FIXED_WIDTH = { timestamp: 8, float8: 8, int2: 2, int4: 4, int8: 8, bool: 1 } as const;

/** The stream's header (signature, flags, no extension). */
export function binaryCopyHeader(): Buffer {
  return Buffer.concat([SIGNATURE, Buffer.alloc(8)]);
}

/** The stream's trailer (a tuple of −1 fields). */
export function binaryCopyTrailer(): Buffer {
  return Buffer.from([0xff, 0xff]);
}

/** Bytes a row can take at most: the fixed widths, and the longest text of each text column. */
function rowBound(columns: readonly BinaryColumn[], start: number, end: number): number {
  let bytes = 2;
  for (const c of columns) {
    if (c.type !== 'text') {
      bytes += 4 + FIXED_WIDTH[c.type];
      continue;
    }
    let longest = 0;
    for (let r = start; r < end; r++) {
      const s = c.values[r];
      if (s) longest = Math.max(longest, Buffer.byteLength(s));
    }
    bytes += 4 + longest;
  }
  return bytes;
}

/** Writes a whole number below 2^53 in magnitude as a big-endian int64, without BigInt. */
function setInt64(view: DataView, p: number, v: number): void {
  const hi = Math.floor(v / TWO_32);
  view.setInt32(p, hi);
  view.setUint32(p + 4, v - hi * TWO_32);
}

/**
 * Encodes rows `start..end` of `columns` (all of one length) as binary COPY tuples, in one
 * buffer. Frame them with `binaryCopyHeader()` and `binaryCopyTrailer()`.
 */
// biome-ignore lint/complexity/noExcessiveCognitiveComplexity: per-row encode loop kept flat: a call per cell would cost the COPY its speed
export function encodeBinaryTuples(
  columns: readonly BinaryColumn[],
  start: number,
  end: number,
): Buffer {
  const buf = Buffer.allocUnsafe(rowBound(columns, start, end) * (end - start));
  const view = new DataView(buf.buffer, buf.byteOffset, buf.byteLength);
  const width = columns.length;
  let p = 0;
  for (let r = start; r < end; r++) {
    view.setInt16(p, width);
    p += 2;
    for (let f = 0; f < width; f++) {
      const c = columns[f]!;
      switch (c.type) {
        case 'float8': {
          const x = c.values[r]!;
          if (Number.isFinite(x)) {
            view.setInt32(p, 8);
            view.setFloat64(p + 4, x);
            p += 12;
          } else {
            view.setInt32(p, -1);
            p += 4;
          }
          break;
        }
        case 'timestamp':
          view.setInt32(p, 8);
          setInt64(view, p + 4, (c.ms[r]! - PG_EPOCH_MS) * 1000);
          p += 12;
          break;
        case 'int2':
        case 'int4':
        case 'int8': {
          const x = c.values[r]!;
          if (!Number.isFinite(x)) {
            view.setInt32(p, -1);
            p += 4;
            break;
          }
          const v = Math.trunc(x);
          if (c.type === 'int2') {
            view.setInt32(p, 2);
            view.setInt16(p + 4, v);
            p += 6;
          } else if (c.type === 'int4') {
            view.setInt32(p, 4);
            view.setInt32(p + 4, v);
            p += 8;
          } else {
            view.setInt32(p, 8);
            setInt64(view, p + 4, v);
            p += 12;
          }
          break;
        }
        case 'bool':
          view.setInt32(p, 1);
          buf[p + 4] = c.values[r] ? 1 : 0;
          p += 5;
          break;
        case 'text': {
          const s = c.values[r];
          if (s === null || s === undefined) {
            view.setInt32(p, -1);
            p += 4;
            break;
          }
          const n = buf.write(s, p + 4, 'utf8');
          view.setInt32(p, n);
          p += 4 + n;
          break;
        }
      }
    }
  }
  return buf.subarray(0, p);
}

/**
 * The whole binary COPY stream of rows `start..end`, in chunks of about `rowsPerChunk`
 * rows (encoded as they are pulled, so a table is never in memory twice).
 */
export function* binaryCopyStream(
  columns: readonly BinaryColumn[],
  start: number,
  end: number,
  rowsPerChunk = 4096,
): Generator<Buffer> {
  yield binaryCopyHeader();
  for (let r = start; r < end; r += rowsPerChunk) {
    yield encodeBinaryTuples(columns, r, Math.min(end, r + rowsPerChunk));
  }
  yield binaryCopyTrailer();
}

/**
 * Encoder for PostgreSQL's binary COPY format, for output partitions whose columns are
 * all float8 with a timestamp key: 12 bytes a double instead of ~20 characters the server
 * must parse back. Non-finite values become NULL (docs/spec/FEATURES.md).
 */
const SIGNATURE = Buffer.from('PGCOPY\n\xff\r\n\0', 'latin1');
/** Microseconds between the Unix epoch and PostgreSQL's (2000-01-01). */
const PG_EPOCH_US = 946_684_800_000_000;
const ROWS_PER_CHUNK = 2048;
const TWO_32 = 2 ** 32;

/**
 * Yields the COPY stream of `times` (epoch µs; timestamp and timestamptz share the binary
 * format) and float8 `columns`, in chunks of ROWS_PER_CHUNK rows; `ready(n)`, when given, is
 * called before a chunk is encoded, to fill the columns' first `n` rows. Written through a
 * DataView, the 64-bit time as two 32-bit halves: ten times faster than Buffer's
 * `write*BE` and a BigInt a row (Track 2 writes 180 columns a row).
 */
export function* encodeBinaryRows(
  times: Float64Array,
  columns: readonly Float64Array[],
  ready?: (rows: number) => void,
): Generator<Buffer> {
  const width = columns.length + 1;
  const rowMax = 2 + 12 + 12 * columns.length;
  yield Buffer.concat([SIGNATURE, Buffer.alloc(8)]);
  for (let start = 0; start < times.length; start += ROWS_PER_CHUNK) {
    const end = Math.min(times.length, start + ROWS_PER_CHUNK);
    // Columns computed while they are written: the rows of this chunk, now.
    ready?.(end);
    const buf = Buffer.allocUnsafe(rowMax * (end - start));
    const view = new DataView(buf.buffer, buf.byteOffset, buf.byteLength);
    let p = 0;
    for (let r = start; r < end; r++) {
      const us = times[r]! - PG_EPOCH_US;
      if (!Number.isSafeInteger(us))
        throw new RangeError(`time ${times[r]} is no whole microsecond`);
      const high = Math.floor(us / TWO_32);
      view.setInt16(p, width);
      view.setInt32(p + 2, 8);
      view.setInt32(p + 6, high);
      view.setUint32(p + 10, us - high * TWO_32);
      p += 14;
      for (let c = 0; c < columns.length; c++) {
        const x = columns[c]![r]!;
        if (Number.isFinite(x)) {
          view.setInt32(p, 8);
          view.setFloat64(p + 4, x);
          p += 12;
        } else {
          view.setInt32(p, -1);
          p += 4;
        }
      }
    }
    yield buf.subarray(0, p);
  }
  const trailer = Buffer.alloc(2);
  trailer.writeInt16BE(-1, 0);
  yield trailer;
}

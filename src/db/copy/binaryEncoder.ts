/**
 * Encoder for PostgreSQL's binary COPY format, for output partitions whose columns are
 * all float8 with a timestamp key: 12 bytes a double instead of ~20 characters the server
 * must parse back. Non-finite values become NULL (docs/spec/FEATURES.md).
 */
const SIGNATURE = Buffer.from('PGCOPY\n\xff\r\n\0', 'latin1');
/** Microseconds between the Unix epoch and PostgreSQL's (2000-01-01). */
const PG_EPOCH_US = 946_684_800_000_000;
const ROWS_PER_CHUNK = 2048;

/**
 * Yields the COPY stream of `times` (epoch µs; timestamp and timestamptz share the binary
 * format) and float8 `columns`, in chunks of ROWS_PER_CHUNK rows.
 */
export function* encodeBinaryRows(
  times: Float64Array,
  columns: readonly Float64Array[],
): Generator<Buffer> {
  const width = columns.length + 1;
  const rowMax = 2 + 12 + 12 * columns.length;
  yield Buffer.concat([SIGNATURE, Buffer.alloc(8)]);
  for (let start = 0; start < times.length; start += ROWS_PER_CHUNK) {
    const end = Math.min(times.length, start + ROWS_PER_CHUNK);
    const buf = Buffer.allocUnsafe(rowMax * (end - start));
    let p = 0;
    for (let r = start; r < end; r++) {
      p = buf.writeInt16BE(width, p);
      p = buf.writeInt32BE(8, p);
      p = buf.writeBigInt64BE(BigInt(times[r]! - PG_EPOCH_US), p);
      for (const col of columns) {
        const x = col[r]!;
        if (Number.isFinite(x)) {
          p = buf.writeInt32BE(8, p);
          p = buf.writeDoubleBE(x, p);
        } else {
          p = buf.writeInt32BE(-1, p);
        }
      }
    }
    yield buf.subarray(0, p);
  }
  const trailer = Buffer.alloc(2);
  trailer.writeInt16BE(-1, 0);
  yield trailer;
}

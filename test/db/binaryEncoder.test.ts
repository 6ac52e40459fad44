import { describe, expect, it } from 'vitest';
import { encodeBinaryRows } from '../../src/db/copy/binaryEncoder.js';

/** The COPY binary stream written the plain way: Buffer writes, the time as a BigInt. */
function reference(times: Float64Array, columns: Float64Array[]): Buffer {
  const parts = [Buffer.from('PGCOPY\n\xff\r\n\0', 'latin1'), Buffer.alloc(8)];
  for (let r = 0; r < times.length; r++) {
    const row = Buffer.alloc(2 + 12 + 12 * columns.length);
    let p = row.writeInt16BE(columns.length + 1, 0);
    p = row.writeInt32BE(8, p);
    p = row.writeBigInt64BE(BigInt(times[r]!) - 946_684_800_000_000n, p);
    for (const c of columns) {
      const x = c[r]!;
      if (Number.isFinite(x)) {
        p = row.writeInt32BE(8, p);
        p = row.writeDoubleBE(x, p);
      } else p = row.writeInt32BE(-1, p);
    }
    parts.push(row.subarray(0, p));
  }
  parts.push(Buffer.from([0xff, 0xff]));
  return Buffer.concat(parts);
}

describe('encodeBinaryRows', () => {
  it('writes what PostgreSQL reads: times before and after 2000, NULL for non-finite', () => {
    // More rows than a chunk; times from 1900 to 2100 (negative µs before 2000 and 1970).
    const n = 5000;
    const times = new Float64Array(n).map((_, i) => -2_208_988_800_000_000 + i * 1_262_304_000_000);
    const odd = [
      Number.NaN,
      Number.POSITIVE_INFINITY,
      Number.NEGATIVE_INFINITY,
      -0,
      1e308,
      -5e-324,
    ];
    const columns = [0, 1, 2].map((c) =>
      new Float64Array(n).map((_, i) =>
        i % 7 === c ? odd[i % odd.length]! : Math.sin(i + c) * 1e6,
      ),
    );
    const ours = Buffer.concat([...encodeBinaryRows(times, columns)]);
    expect(ours.equals(reference(times, columns))).toBe(true);
  });

  it('refuses a time that is no whole microsecond', () => {
    for (const t of [Number.NaN, 1.5, Number.POSITIVE_INFINITY])
      expect(() => [...encodeBinaryRows(new Float64Array([t]), [])]).toThrow(/microsecond/);
  });
});

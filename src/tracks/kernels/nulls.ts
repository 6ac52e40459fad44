/**
 * The NULL convention of the window kernels: NaN marks SQL NULL, an input NaN or ±Infinity
 * counts as NULL, and no output is ever ±Infinity (the writer turns NaN into NULL).
 */

/** Prefix counts of NULL inputs: `p[i]` = NULLs among `x[0 … i−1]` (length `x.length + 1`). */
export function nullPrefix(x: Float64Array): Int32Array {
  const p = new Int32Array(x.length + 1);
  let count = 0;
  for (let i = 0; i < x.length; i++) {
    if (!Number.isFinite(x[i]!)) count++;
    p[i + 1] = count;
  }
  return p;
}

/** True when rows `start … end` (inclusive) hold a NULL; O(1) given {@link nullPrefix}. */
export function windowHasNull(prefix: Int32Array, start: number, end: number): boolean {
  return prefix[end + 1]! !== prefix[start]!;
}

/** A computed value as stored: anything non-finite (overflow, 0/0) becomes NULL. */
export function finiteOrNull(v: number): number {
  return Number.isFinite(v) ? v : Number.NaN;
}

/** A column of `length` NULLs, to be filled where windows are complete. */
export function nullColumn(length: number): Float64Array {
  return new Float64Array(length).fill(Number.NaN);
}

/** Throws unless `n` is an integer window length of at least `least`. */
export function assertWindow(n: number, least: number): void {
  if (!Number.isInteger(n) || n < least) {
    throw new RangeError(`window length must be an integer >= ${least}, got ${n}`);
  }
}

/**
 * Exact detection of constant windows in O(1) a row: `r[t]` is the first row of the run of
 * values equal to `x[t]` that ends at t, so rows `start … end` are all equal exactly when
 * `r[end] <= start`. Cheaper than tracking min and max inside every window, and just as
 * exact (it compares values with ===, so 0 and −0 count as equal, like min === max).
 */
export function equalRunStarts(x: Float64Array): Int32Array {
  const r = new Int32Array(x.length);
  for (let t = 1; t < x.length; t++) r[t] = x[t] === x[t - 1] ? r[t - 1]! : t;
  return r;
}

/** True when rows `start … end` (inclusive) all hold the same value. */
export function windowIsConstant(runs: Int32Array, start: number, end: number): boolean {
  return runs[end]! <= start;
}

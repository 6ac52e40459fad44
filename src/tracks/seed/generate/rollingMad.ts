/**
 * Rolling median absolute deviation, median(|x − median(x)|) over the last n values, with
 * exactly the results of sorting each window twice (the demo data's definition), in
 * O(n) a step instead of two sorts: the window is kept sorted as it slides, and the
 * deviations, which fall on either side of the median in sorted order already, are
 * merged from the median outwards rather than sorted. Selection picks values, never
 * combines them, so only the final (a + b) / 2 does arithmetic, as the sort did.
 */

/** The middle of a sorted, even or odd run `s[0..n)`: as the sort-based median computes it. */
function middle(a: number, b: number, odd: boolean): number {
  return odd ? b : (a + b) / 2;
}

/** First index in sorted `s[0..len)` whose value is not below `v`. */
function lowerBound(s: Float64Array, len: number, v: number): number {
  let lo = 0;
  let hi = len;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if (s[mid]! < v) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

/** Median absolute deviation of the sorted window `s[0..n)`. */
function madOfSorted(s: Float64Array, n: number): number {
  const k = n >> 1;
  const odd = (n & 1) === 1;
  const med = middle(s[k - 1] ?? s[k]!, s[k]!, odd);
  // Values below the median give deviations that grow leftwards, the others rightwards:
  // merge the two runs until the middle two deviations are known.
  let left = lowerBound(s, n, med) - 1;
  let right = left + 1;
  let previous = 0;
  let current = 0;
  for (let i = 0; i <= k; i++) {
    const dl = left >= 0 ? Math.abs(s[left]! - med) : Number.POSITIVE_INFINITY;
    const dr = right < n ? Math.abs(s[right]! - med) : Number.POSITIVE_INFINITY;
    previous = current;
    if (dl <= dr) {
      current = dl;
      left--;
    } else {
      current = dr;
      right++;
    }
  }
  return middle(previous, current, odd);
}

/**
 * MAD of every complete window of `n` values of `x` (window n at t = x[t−n+1..t]); NaN
 * where the window is not complete yet or holds a NaN, and where the result is not finite.
 */
export function rollingMad(x: Float64Array, n: number): Float64Array {
  const len = x.length;
  const out = new Float64Array(len).fill(Number.NaN);
  const sorted = new Float64Array(n);
  let size = 0;
  for (let t = 0; t < len; t++) {
    const v = x[t]!;
    if (Number.isNaN(v)) {
      // A NaN empties the window: the next n values start a new one.
      size = 0;
      continue;
    }
    if (size === n) {
      // Slide: drop the value leaving the window (any copy of it: equal values are one value).
      const at = lowerBound(sorted, size, x[t - n]!);
      sorted.copyWithin(at, at + 1, size);
      size--;
    }
    const at = lowerBound(sorted, size, v);
    sorted.copyWithin(at + 1, at, size);
    sorted[at] = v;
    size++;
    if (size < n) continue;
    const mad = madOfSorted(sorted, n);
    out[t] = Number.isFinite(mad) ? mad : Number.NaN;
  }
  return out;
}

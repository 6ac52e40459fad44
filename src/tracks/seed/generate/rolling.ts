/**
 * Per-window helpers for the demo features: plain O(n·w) loops over "window n" = the last
 * n bars including t (docs/spec/FEATURES.md's convention). NaN marks NULL; a window holding a NaN
 * input, or one that is not complete yet, gives NaN.
 */

/** Applies `fn(start, end)` (end inclusive) to every complete window of length n. */
export function windowed(
  length: number,
  n: number,
  inputs: readonly Float64Array[],
  fn: (start: number, end: number) => number,
): Float64Array {
  const out = new Float64Array(length).fill(Number.NaN);
  let lastNull = -1;
  const hasNull = (i: number) => inputs.some((x) => Number.isNaN(x[i]!));
  for (let t = 0; t < length; t++) {
    if (hasNull(t)) lastNull = t;
    if (t < n - 1 || lastNull > t - n) continue;
    const v = fn(t - n + 1, t);
    out[t] = Number.isFinite(v) ? v : Number.NaN;
  }
  return out;
}

/** Mean of x[start..end]. */
export function mean(x: Float64Array, start: number, end: number): number {
  let s = 0;
  for (let i = start; i <= end; i++) s += x[i]!;
  return s / (end - start + 1);
}

/** Sample standard deviation (n − 1) of x[start..end], centred for accuracy. */
export function sampleStd(x: Float64Array, start: number, end: number): number {
  const m = mean(x, start, end);
  let s = 0;
  for (let i = start; i <= end; i++) s += (x[i]! - m) ** 2;
  return Math.sqrt(s / (end - start));
}

/** Population skewness and excess kurtosis of x[start..end]; NaN when the window is flat. */
export function moments(
  x: Float64Array,
  start: number,
  end: number,
): { skew: number; kurt: number } {
  const n = end - start + 1;
  const m = mean(x, start, end);
  let m2 = 0;
  let m3 = 0;
  let m4 = 0;
  for (let i = start; i <= end; i++) {
    const d = x[i]! - m;
    m2 += d * d;
    m3 += d * d * d;
    m4 += d * d * d * d;
  }
  m2 /= n;
  if (m2 === 0) return { skew: Number.NaN, kurt: Number.NaN };
  return { skew: m3 / n / m2 ** 1.5, kurt: m4 / n / (m2 * m2) - 3 };
}

/** OLS slope of x[start..end] against 0, 1, …, n−1 (per bar). */
export function slope(x: Float64Array, start: number, end: number): number {
  const n = end - start + 1;
  const xm = (n - 1) / 2;
  const ym = mean(x, start, end);
  let num = 0;
  let den = 0;
  for (let i = 0; i < n; i++) {
    num += (i - xm) * (x[start + i]! - ym);
    den += (i - xm) ** 2;
  }
  return num / den;
}

/** Pearson correlation of a and b over [start..end]; NaN when either is flat. */
export function correlation(a: Float64Array, b: Float64Array, start: number, end: number): number {
  const am = mean(a, start, end);
  const bm = mean(b, start, end);
  let sab = 0;
  let saa = 0;
  let sbb = 0;
  for (let i = start; i <= end; i++) {
    sab += (a[i]! - am) * (b[i]! - bm);
    saa += (a[i]! - am) ** 2;
    sbb += (b[i]! - bm) ** 2;
  }
  return saa === 0 || sbb === 0 ? Number.NaN : sab / Math.sqrt(saa * sbb);
}

/** Minimum and maximum of x[start..end]. */
export function range(x: Float64Array, start: number, end: number): { min: number; max: number } {
  let min = Number.POSITIVE_INFINITY;
  let max = Number.NEGATIVE_INFINITY;
  for (let i = start; i <= end; i++) {
    if (x[i]! < min) min = x[i]!;
    if (x[i]! > max) max = x[i]!;
  }
  return { min, max };
}

/** One-bar log returns; the first is NULL. */
export function logReturns(close: Float64Array): Float64Array {
  const r = new Float64Array(close.length).fill(Number.NaN);
  for (let i = 1; i < close.length; i++) r[i] = Math.log(close[i]! / close[i - 1]!);
  return r;
}

/**
 * Which rows of x end a complete window of n values free of NaN (docs/spec/FEATURES.md's rule, as
 * `windowed` applies it to one input).
 */
function completeWindows(x: Float64Array, n: number): Uint8Array {
  const ok = new Uint8Array(x.length);
  let lastNull = -1;
  for (let t = 0; t < x.length; t++) {
    if (Number.isNaN(x[t]!)) lastNull = t;
    if (t >= n - 1 && lastNull <= t - n) ok[t] = 1;
  }
  return ok;
}

/**
 * `windowed(…, mean)` and `windowed(…, sampleStd)` of one input in one pass: the same
 * operations in the same order (sampleStd's own mean is the mean), so the same bits,
 * without computing each window's mean twice.
 */
export function windowedMeanStd(
  x: Float64Array,
  n: number,
): { mean: Float64Array; std: Float64Array } {
  const len = x.length;
  const means = new Float64Array(len).fill(Number.NaN);
  const std = new Float64Array(len).fill(Number.NaN);
  const ok = completeWindows(x, n);
  for (let t = 0; t < len; t++) {
    if (!ok[t]) continue;
    const s = t - n + 1;
    const m = mean(x, s, t);
    let q = 0;
    for (let i = s; i <= t; i++) q += (x[i]! - m) ** 2;
    const sd = Math.sqrt(q / (t - s));
    means[t] = Number.isFinite(m) ? m : Number.NaN;
    std[t] = Number.isFinite(sd) ? sd : Number.NaN;
  }
  return { mean: means, std };
}

/** `windowed(…, moments(…).skew)` and `(…).kurt` of one input, each window's moments once. */
export function windowedMoments(
  x: Float64Array,
  n: number,
): { skew: Float64Array; kurt: Float64Array } {
  const len = x.length;
  const skew = new Float64Array(len).fill(Number.NaN);
  const kurt = new Float64Array(len).fill(Number.NaN);
  const ok = completeWindows(x, n);
  for (let t = 0; t < len; t++) {
    if (!ok[t]) continue;
    const v = moments(x, t - n + 1, t);
    skew[t] = Number.isFinite(v.skew) ? v.skew : Number.NaN;
    kurt[t] = Number.isFinite(v.kurt) ? v.kurt : Number.NaN;
  }
  return { skew, kurt };
}

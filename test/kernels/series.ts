/** Seeded test series and the docs/spec/FEATURES.md accuracy metric for the kernel tests. */

/** mulberry32: a small deterministic generator of floats in [0, 1). */
export function rng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** Standard normal draws (Box–Muller) from a seeded generator. */
export function gaussian(seed: number): () => number {
  const u = rng(seed);
  return () => Math.sqrt(-2 * Math.log(1 - u())) * Math.cos(2 * Math.PI * u());
}

/** A rate index: a random walk from 100 with moves of about 1e-4 (the hard case). */
export function level100(length: number, seed = 1): Float64Array {
  const g = gaussian(seed);
  const x = new Float64Array(length);
  let v = 100;
  for (let i = 0; i < length; i++) {
    v += 1e-4 * g();
    x[i] = v;
  }
  return x;
}

/** A near-zero level: about 1e-4 moving by about 1e-6 (large mean for its variation). */
export function nearZeroLevel(length: number, seed = 2): Float64Array {
  const g = gaussian(seed);
  const x = new Float64Array(length);
  let v = 1e-4;
  for (let i = 0; i < length; i++) {
    v += 1e-6 * g();
    x[i] = v;
  }
  return x;
}

/** BQX-return-like: an AR(1) of scale 1e-4 that crosses zero (predictions near 0). */
export function zeroCrossing(length: number, seed = 3): Float64Array {
  const g = gaussian(seed);
  const x = new Float64Array(length);
  let v = 0;
  for (let i = 0; i < length; i++) {
    v = 0.97 * v + 3e-5 * g();
    x[i] = v;
  }
  return x;
}

/** A generic series: unit noise on a slow sine with occasional jumps. */
export function generic(length: number, seed = 4): Float64Array {
  const g = gaussian(seed);
  const u = rng(seed + 100);
  const x = new Float64Array(length);
  let jump = 0;
  for (let i = 0; i < length; i++) {
    if (u() < 0.01) jump += 5 * g();
    x[i] = 3 * Math.sin(i / 40) + jump + g();
  }
  return x;
}

/** The named series every kernel is checked on. */
export const SERIES: readonly [string, (length: number) => Float64Array][] = [
  ['a random walk near 100 with moves of 1e-4', level100],
  ['a level near 1e-4 with moves of 1e-6', nearZeroLevel],
  ['a zero-crossing series of scale 1e-4', zeroCrossing],
  ['a generic noisy series', generic],
];

/** Median of |v| over the non-NULL values (0 when there are none). */
export function medianAbs(col: Float64Array): number {
  const v = Array.from(col)
    .filter((x) => !Number.isNaN(x))
    .map(Math.abs)
    .sort((a, b) => a - b);
  if (v.length === 0) return 0;
  const mid = v.length >> 1;
  return v.length % 2 === 1 ? v[mid]! : (v[mid - 1]! + v[mid]!) / 2;
}

/** The worst row of a comparison: its error, index and the two values. */
export interface Worst {
  readonly error: number;
  readonly row: number;
  readonly actual: number;
  readonly expected: number;
}

/**
 * Largest relative error |a − r| / max(|r|, scale) over the rows `check` selects, with
 * scale = the reference column's median |value| (docs/spec/FEATURES.md). A NULL on one side only is
 * an infinite error.
 */
export function worstError(
  actual: Float64Array,
  expected: Float64Array,
  options: { scale?: number; check?: (row: number) => boolean } = {},
): Worst {
  const scale = options.scale ?? medianAbs(expected);
  let worst: Worst = { error: 0, row: -1, actual: Number.NaN, expected: Number.NaN };
  for (let i = 0; i < expected.length; i++) {
    if (options.check !== undefined && !options.check(i)) continue;
    const a = actual[i]!;
    const r = expected[i]!;
    let error: number;
    if (Number.isNaN(a) || Number.isNaN(r))
      error = Number.isNaN(a) && Number.isNaN(r) ? 0 : Infinity;
    else error = Math.abs(a - r) / Math.max(Math.abs(r), scale);
    if (!(error <= worst.error)) worst = { error, row: i, actual: a, expected: r };
  }
  return worst;
}

/** Number of ±Infinity values in the columns (NaN is the NULL marker and allowed). */
export function countInfinities(cols: Iterable<Float64Array>): number {
  let count = 0;
  for (const col of cols) for (const v of col) if (v === Infinity || v === -Infinity) count++;
  return count;
}

/** Indices of the NULL (NaN) rows of a column. */
export function nullRows(col: Float64Array): number[] {
  const rows: number[] = [];
  col.forEach((v, i) => {
    if (Number.isNaN(v)) rows.push(i);
  });
  return rows;
}

/** Neumaier-compensated sum, for references that should be exact to the last bits. */
export function exactSum(values: ArrayLike<number>): number {
  let sum = 0;
  let comp = 0;
  for (let i = 0; i < values.length; i++) {
    const v = values[i]!;
    const t = sum + v;
    comp += Math.abs(sum) >= Math.abs(v) ? sum - t + v : v - t + sum;
    sum = t;
  }
  return sum + comp;
}

import { assertWindow } from './nulls.js';

/**
 * The Track 2 fit of window `n` in integers, for exact decisions on a window's values
 * (with exactDot). On rows i = 0 … n−1, d = 2i − n + 1 is a multiple of z and
 * Q = 3d² − (n² − 1) a multiple of q = z² − 1, so {1, d, Q} is the fit's orthogonal
 * basis and
 *   a2 = (n² − 1)·Σ Q·y / ΣQ²,
 *   ŷ(last) = Σ h·y with h = 1/n + d·d(last)/Σd² + Q·Q(last)/ΣQ²,
 * where n·Σd²·ΣQ²·h is a vector of integers.
 */
export interface ExactQuadratic {
  /** Q: a2 = 0 exactly when Σ Q·y = 0. */
  readonly a2Weights: readonly bigint[];
  /** a2 = exactDot(y, a2Weights)·a2Scale (two roundings). */
  readonly a2Scale: number;
  /** Integer multiples of h (divided by their common factor). */
  readonly predictionWeights: readonly bigint[];
  /** ŷ(last) = exactDot(y, predictionWeights)·predictionScale (a few roundings). */
  readonly predictionScale: number;
}

const cache = new Map<number, ExactQuadratic>();

function gcd(a: bigint, b: bigint): bigint {
  let x = a < 0n ? -a : a;
  let y = b < 0n ? -b : b;
  while (y !== 0n) [x, y] = [y, x % y];
  return x;
}

/** The integer forms of the fit for window `n` (n ≥ 3). */
export function exactQuadratic(n: number): ExactQuadratic {
  assertWindow(n, 3);
  const hit = cache.get(n);
  if (hit !== undefined) return hit;
  const N = BigInt(n);
  const d = Array.from({ length: n }, (_, i) => BigInt(2 * i - n + 1));
  const q = d.map((di) => 3n * di * di - (N * N - 1n));
  const sumD2 = d.reduce((s, di) => s + di * di, 0n);
  const sumQ2 = q.reduce((s, qi) => s + qi * qi, 0n);
  const dLast = d[n - 1]!;
  const qLast = q[n - 1]!;
  const h = d.map((di, i) => sumD2 * sumQ2 + N * sumQ2 * di * dLast + N * sumD2 * q[i]! * qLast);
  const denominator = N * sumD2 * sumQ2;
  const common = h.reduce(gcd, denominator);
  const exact: ExactQuadratic = {
    a2Weights: q,
    a2Scale: (n * n - 1) / Number(sumQ2),
    predictionWeights: h.map((hi) => hi / common),
    predictionScale: 1 / Number(denominator / common),
  };
  cache.set(n, exact);
  return exact;
}

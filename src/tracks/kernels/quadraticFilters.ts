import { assertWindow } from './nulls.js';

/**
 * The fixed least-squares filters of the Track 2 fit for window `n`. With x = 0 … n−1 and
 * z = (x − x̄)/σx (σx population, so Σz = 0, Σz³ = 0, mean z² = 1), the basis
 * {1, z, q = z² − 1} is orthogonal, hence
 *   ŷ = c0 + c1·z + c2·q,  c0 = mean(y),  c1 = Σ w1·y,  c2 = Σ w2·y,
 * and y ≈ a2·z² + a1·z + b has a2 = c2, a1 = c1, b = c0 − c2.
 */
export interface QuadraticFilters {
  readonly n: number;
  /** Normalised abscissae z; exactly antisymmetric (z[i] = −z[n−1−i]), 0 in the middle. */
  readonly z: Float64Array;
  /** z² − 1; exactly symmetric. */
  readonly q: Float64Array;
  /** z / Σz², so that c1 = Σ w1·y. */
  readonly w1: Float64Array;
  /** q / Σq², so that c2 = Σ w2·y. */
  readonly w2: Float64Array;
}

const cache = new Map<number, QuadraticFilters>();

/** The filters for window `n` (n ≥ 3: fewer points do not determine a parabola). */
export function quadraticFilters(n: number): QuadraticFilters {
  assertWindow(n, 3);
  const hit = cache.get(n);
  if (hit !== undefined) return hit;
  const centre = (n - 1) / 2;
  const sigma = Math.sqrt((n * n - 1) / 12);
  const z = new Float64Array(n);
  const q = new Float64Array(n);
  let szz = 0;
  let sqq = 0;
  for (let i = 0; i < n; i++) {
    // i − centre is exact, so the symmetries the pairwise sums rely on hold bit for bit.
    const zi = (i - centre) / sigma;
    z[i] = zi;
    q[i] = zi * zi - 1;
    szz += zi * zi;
    sqq += q[i]! * q[i]!;
  }
  const w1 = z.map((v) => v / szz);
  const w2 = q.map((v) => v / sqq);
  const filters = { n, z, q, w1, w2 };
  cache.set(n, filters);
  return filters;
}

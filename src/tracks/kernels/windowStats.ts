import { assertWindow, finiteOrNull, nullColumn, nullPrefix, windowHasNull } from './nulls.js';

/** Rolling statistics for one window length; NaN marks NULL. */
export interface WindowStats {
  readonly mean: Float64Array;
  /** Sample standard deviation (divisor n − 1); NULL for n = 1. */
  readonly std: Float64Array;
  readonly min: Float64Array;
  readonly max: Float64Array;
}

/**
 * Rolling mean, sample std, min and max over window `n` (rows t−n+1 … t, including t).
 * Rows before the first complete window, and windows holding a NULL, are NULL.
 *
 * Each window is recomputed from its own values (O(n) a row) instead of updating running
 * sums: on a level near 100 moving by 1e-4, running sums of x and x² lose about half the
 * digits of the variance, while a two-pass sum on centred values keeps ~1e-15 relative.
 * A constant window (min === max) is detected exactly: mean = the value, std = 0.
 *
 * @param nulls prefix counts from {@link nullPrefix}, when the caller already has them
 */
export function rollingStats(
  x: Float64Array,
  n: number,
  nulls: Int32Array = nullPrefix(x),
): WindowStats {
  assertWindow(n, 1);
  const len = x.length;
  const out = {
    mean: nullColumn(len),
    std: nullColumn(len),
    min: nullColumn(len),
    max: nullColumn(len),
  };
  rollingStatsInto(x, n, nulls, out, 0, len);
  return out;
}

/**
 * {@link rollingStats} for rows `from … to − 1` only, into `out` (NULL-filled columns of
 * `x.length`): each row's values depend on its own window alone, so rows can be computed a
 * range at a time (Track 1 computes the next rows while the earlier ones stream to the
 * server) with exactly the values of one pass.
 */
// biome-ignore lint/complexity/noExcessiveCognitiveComplexity: one pass with an exact constant-window test, kept flat for speed
export function rollingStatsInto(
  x: Float64Array,
  n: number,
  nulls: Int32Array,
  out: WindowStats,
  from: number,
  to: number,
): void {
  const { mean, std, min, max } = out;
  for (let t = Math.max(n - 1, from); t < to; t++) {
    const start = t - n + 1;
    if (windowHasNull(nulls, start, t)) continue;
    // Pass 1: extremes, and the sum of offsets from the first value (small, so exact-ish).
    const x0 = x[start]!;
    let lo = x0;
    let hi = x0;
    let offsets = 0;
    for (let i = start + 1; i <= t; i++) {
      const v = x[i]!;
      if (v < lo) lo = v;
      else if (v > hi) hi = v;
      offsets += v - x0;
    }
    min[t] = lo;
    max[t] = hi;
    if (lo === hi) {
      // Always taken for n = 1, whose sample std stays NULL.
      mean[t] = lo;
      if (n > 1) std[t] = 0;
      continue;
    }
    const m = x0 + offsets / n;
    mean[t] = finiteOrNull(m);
    // Pass 2: deviations from the mean; the (Σd)²/n term corrects the mean's rounding.
    let sd = 0;
    let sdd = 0;
    for (let i = start; i <= t; i++) {
      const d = x[i]! - m;
      sd += d;
      sdd += d * d;
    }
    const variance = (sdd - (sd * sd) / n) / (n - 1);
    std[t] = finiteOrNull(Math.sqrt(Math.max(variance, 0)));
  }
}

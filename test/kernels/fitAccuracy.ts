/** The docs/spec/FEATURES.md Track 2 accuracy check, shared by the regression tests. */
import { expect } from 'vitest';
import { REG_METRICS, REG_WINDOWS, type RegMetric } from '../../src/db/contract/columns.js';
import { refRegression } from './reference.js';
import { medianAbs, worstError } from './series.js';

/** Track 2's bound: relative error against max(|reference|, median |column|). */
export const FIT_TOL = 1e-8;

/** Metrics held to the bound only where their divisor is not near zero (docs/spec/FEATURES.md). */
const DIVISOR: Partial<Record<RegMetric, RegMetric>> = {
  vertex_x: 'a2',
  vertex_y: 'a2',
  extrapolation_error: 'prediction',
};

/** The 15 metric columns of one window of the `idx` domain, by metric name. */
export function idxMetrics(
  cols: ReadonlyMap<string, Float64Array>,
  suffix: string,
): Record<RegMetric, Float64Array> {
  const entries = REG_METRICS.map((m) => {
    const c = cols.get(`${m}_idx_${suffix}`);
    if (c === undefined) throw new Error(`missing ${m}_idx_${suffix}`);
    return [m, c] as const;
  });
  return Object.fromEntries(entries) as Record<RegMetric, Float64Array>;
}

/**
 * Asserts every metric of every window of `cols` (idx domain, rows aligned with `y`) is
 * within {@link FIT_TOL} of a per-window Householder fit. With `completeOnly`, rows whose
 * window reaches before `y[0]` are skipped (for `y` cut from the middle of a series).
 */
export function expectFitAccurate(
  y: Float64Array,
  cols: ReadonlyMap<string, Float64Array>,
  completeOnly = false,
): void {
  for (const [suffix, n] of REG_WINDOWS) {
    const got = idxMetrics(cols, suffix);
    const ref = refRegression(y, n);
    const first = completeOnly ? n - 1 : 0;
    for (const m of REG_METRICS) {
      const divisor = DIVISOR[m];
      const floor = divisor === undefined ? 0 : 1e-6 * medianAbs(ref[divisor]);
      const worst = worstError(got[m], ref[m], {
        // residual_mean is 0 by construction: both sides are rounding noise, so it is held
        // to the bound relative to the residuals' own scale instead of its own median.
        scale: m === 'residual_mean' ? medianAbs(ref.rmse) : undefined,
        check: (t) =>
          t >= first && (divisor === undefined || !(Math.abs(ref[divisor][t]!) <= floor)),
      });
      expect(worst.error, `${m}_${suffix} ${JSON.stringify(worst)}`).toBeLessThanOrEqual(FIT_TOL);
    }
  }
}

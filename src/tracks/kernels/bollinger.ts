import { BOLLINGER_BQX_COLUMNS, BOLLINGER_WINDOWS } from '../../db/contract/columns.js';
import { inContractOrder } from './columnOrder.js';
import { finiteOrNull, nullColumn, nullPrefix } from './nulls.js';
import { rollingStats } from './windowStats.js';

/** Band half-width in standard deviations (FEATURES.md Track 1). */
const K = 2;
/** Windows whose width change is reported as `bb_slope_{n}`. */
const SLOPE_WINDOWS = [20, 60] as const;

/**
 * Track 1: Bollinger bands of `x` (FEATURES.md) for windows 20, 30, 60, 120 with k = 2.
 * Returns the 22 columns by name, iterating in `BOLLINGER_BQX_COLUMNS` order; NaN marks NULL.
 * `bb_percent_b_{n}` is NULL on a constant window (width exactly 0), and
 * `bb_slope_{n}` = width(t) − width(t−1) is NULL where either width is.
 */
export function computeBollinger(x: Float64Array): Map<string, Float64Array> {
  const len = x.length;
  const nulls = nullPrefix(x);
  const cols = new Map<string, Float64Array>();
  for (const n of BOLLINGER_WINDOWS) {
    const { mean, std } = rollingStats(x, n, nulls);
    const upper = nullColumn(len);
    const lower = nullColumn(len);
    const width = nullColumn(len);
    const percentB = nullColumn(len);
    for (let t = n - 1; t < len; t++) {
      const m = mean[t]!;
      const s = std[t]!;
      if (Number.isNaN(m) || Number.isNaN(s)) continue;
      upper[t] = finiteOrNull(m + K * s);
      lower[t] = finiteOrNull(m - K * s);
      // upper − lower is 2k·s exactly; computing it from the bands would cancel m's digits.
      const w = 2 * K * s;
      width[t] = finiteOrNull(w);
      // (x − lower) / width rewritten around the mean, where x − m is exact.
      if (w !== 0) percentB[t] = finiteOrNull(0.5 + (x[t]! - m) / w);
    }
    cols.set(`bb_upper_${n}`, upper);
    cols.set(`bb_middle_${n}`, mean);
    cols.set(`bb_lower_${n}`, lower);
    cols.set(`bb_width_${n}`, width);
    cols.set(`bb_percent_b_${n}`, percentB);
  }
  for (const n of SLOPE_WINDOWS) {
    const width = cols.get(`bb_width_${n}`)!;
    const slope = nullColumn(len);
    // NaN − anything is NaN, so a NULL width on either side gives a NULL slope.
    for (let t = 1; t < len; t++) slope[t] = finiteOrNull(width[t]! - width[t - 1]!);
    cols.set(`bb_slope_${n}`, slope);
  }
  return inContractOrder(cols, BOLLINGER_BQX_COLUMNS);
}

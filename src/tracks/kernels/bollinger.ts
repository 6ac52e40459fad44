import { BOLLINGER_BQX_COLUMNS, BOLLINGER_WINDOWS } from '../../db/contract/columns.js';
import { inContractOrder } from './columnOrder.js';
import { nullColumn, nullPrefix, windowHasNull } from './nulls.js';
import { nullIfNotFinite, OverflowCounts, storeDefined } from './overflow.js';
import { rollingStats } from './windowStats.js';

/** Band half-width in standard deviations (docs/spec/FEATURES.md Track 1). */
const K = 2;
/** Windows whose width change is reported as `bb_slope_{n}`. */
const SLOPE_WINDOWS = [20, 60] as const;

/**
 * Track 1: Bollinger bands of `x` (docs/spec/FEATURES.md) for windows 20, 30, 60, 120 with k = 2.
 * Returns the 22 columns by name, iterating in `BOLLINGER_BQX_COLUMNS` order; NaN marks NULL.
 * `bb_percent_b_{n}` is NULL on a constant window (width exactly 0), and
 * `bb_slope_{n}` = width(t) − width(t−1) is NULL where either width is. Defined values
 * that overflow (are not finite) are written NULL and counted in `overflow`.
 */
// biome-ignore lint/complexity/noExcessiveCognitiveComplexity: one pass over the series: NULL, constant-window and overflow cases inline for speed
export function computeBollinger(
  x: Float64Array,
  overflow: OverflowCounts = new OverflowCounts(),
): Map<string, Float64Array> {
  const len = x.length;
  const nulls = nullPrefix(x);
  const from = overflow.fromRow;
  const cols = new Map<string, Float64Array>();
  for (const n of BOLLINGER_WINDOWS) {
    const { mean, std, min, max } = rollingStats(x, n, nulls);
    const upper = nullColumn(len);
    const lower = nullColumn(len);
    const width = nullColumn(len);
    const percentB = nullColumn(len);
    // Overflowed values per column: middle, upper, lower, width, percent_b.
    let [bm, bu, bl, bw, bp] = [0, 0, 0, 0, 0];
    for (let t = n - 1; t < len; t++) {
      if (windowHasNull(nulls, t - n + 1, t)) continue;
      const m = mean[t]!;
      const s = std[t]!;
      const up = m + K * s;
      const lo = m - K * s;
      // upper − lower is 2k·s exactly; computing it from the bands would cancel m's digits.
      const w = 2 * K * s;
      upper[t] = up;
      lower[t] = lo;
      width[t] = w;
      // The sum is finite only when every term is: one test a row, the counting off it.
      let all = m + up + lo + w;
      // (x − lower) / width rewritten around the mean, where x − m is exact. Width is 0
      // exactly on a constant window (min = max), where percent_b is NULL by rule.
      const varies = min[t] !== max[t];
      if (varies) {
        const pb = 0.5 + (x[t]! - m) / w;
        percentB[t] = pb;
        all += pb;
      }
      if (all - all === 0) continue;
      // rollingStats already wrote a non-finite mean as NULL; here it is counted.
      const counted = t >= from ? 1 : 0;
      bm += counted & (m - m === 0 ? 0 : 1);
      bu += counted & nullIfNotFinite(upper, t);
      bl += counted & nullIfNotFinite(lower, t);
      bw += counted & nullIfNotFinite(width, t);
      if (varies) bp += counted & nullIfNotFinite(percentB, t);
    }
    cols.set(`bb_upper_${n}`, upper);
    cols.set(`bb_middle_${n}`, mean);
    cols.set(`bb_lower_${n}`, lower);
    cols.set(`bb_width_${n}`, width);
    cols.set(`bb_percent_b_${n}`, percentB);
    overflow.add(`bb_middle_${n}`, bm);
    overflow.add(`bb_upper_${n}`, bu);
    overflow.add(`bb_lower_${n}`, bl);
    overflow.add(`bb_width_${n}`, bw);
    overflow.add(`bb_percent_b_${n}`, bp);
  }
  for (const n of SLOPE_WINDOWS) {
    const width = cols.get(`bb_width_${n}`)!;
    const slope = nullColumn(len);
    let bad = 0;
    // Defined where both widths' windows are complete and free of NULL inputs.
    for (let t = n; t < len; t++) {
      if (windowHasNull(nulls, t - n, t)) continue;
      bad += (t >= from ? 1 : 0) & storeDefined(slope, t, width[t]! - width[t - 1]!);
    }
    cols.set(`bb_slope_${n}`, slope);
    overflow.add(`bb_slope_${n}`, bad);
  }
  return inContractOrder(cols, BOLLINGER_BQX_COLUMNS);
}

import type { M1Bars } from '../m1Bars.js';
import { windowedMeanStd } from '../rolling.js';

/** Bollinger bands (k = 2) on `close`: middle = mean, upper/lower = middle ± 2·sample std. */
function bands(close: Float64Array, n: number) {
  const { mean: middle, std: sd } = windowedMeanStd(close, n);
  const upper = middle.map((m, i) => m + 2 * sd[i]!);
  const lower = middle.map((m, i) => m - 2 * sd[i]!);
  const width = upper.map((u, i) => u - lower[i]!);
  const percentB = close.map((x, i) => (width[i]! > 0 ? (x - lower[i]!) / width[i]! : Number.NaN));
  return { middle, upper, lower, width, percentB };
}

/** Change of a series from the previous bar (NULL when either is NULL). */
function diff(x: Float64Array): Float64Array {
  return x.map((v, i) => (i === 0 ? Number.NaN : v - x[i - 1]!));
}

/** `bollinger_rate_{pair}`: 20 columns (docs/demo-data.md). */
export function bollingerRate(bars: M1Bars): Record<string, Float64Array> {
  const b20 = bands(bars.close, 20);
  const b30 = bands(bars.close, 30);
  const b60 = bands(bars.close, 60);
  const b120 = bands(bars.close, 120);
  return {
    bollinger_upper_20: b20.upper,
    bollinger_middle_20: b20.middle,
    bollinger_lower_20: b20.lower,
    bollinger_width_20: b20.width,
    bollinger_percent_b: b20.percentB,
    bb_upper_30: b30.upper,
    bb_middle_30: b30.middle,
    bb_lower_30: b30.lower,
    bb_width_30: b30.width,
    bb_upper_60: b60.upper,
    bb_middle_60: b60.middle,
    bb_lower_60: b60.lower,
    bb_width_60: b60.width,
    bb_percent_b_60: b60.percentB,
    bb_upper_120: b120.upper,
    bb_middle_120: b120.middle,
    bb_lower_120: b120.lower,
    bb_width_120: b120.width,
    bb_slope_20: diff(b20.middle),
    bb_slope_60: diff(b60.middle),
  };
}

import type { M1Bars } from '../m1Bars.js';
import { correlation, logReturns, windowed, windowedMeanStd, windowedMoments } from '../rolling.js';
import { rollingMad } from '../rollingMad.js';

/** Shannon entropy (bits) of the up / flat / down shares of the returns in a window. */
function signEntropy(r: Float64Array, start: number, end: number): number {
  const counts = [0, 0, 0];
  for (let i = start; i <= end; i++) counts[Math.sign(r[i]!) + 1]!++;
  const n = end - start + 1;
  return counts.reduce((h, c) => (c === 0 ? h : h - (c / n) * Math.log2(c / n)), 0);
}

/** `statistics_rate_{pair}`: 23 columns (docs/demo-data.md). */
export function statisticsRate(bars: M1Bars): Record<string, Float64Array> {
  const close = bars.close;
  const r = logReturns(close);
  const n = close.length;
  const m60 = windowedMoments(r, 60);
  const out: Record<string, Float64Array> = {
    skewness_60min: m60.skew,
    kurtosis_60min: m60.kurt,
    median_absolute_deviation_60min: rollingMad(r, 60),
    entropy_60min: windowed(n, 60, [r], (s, e) => signEntropy(r, s, e)),
    autocorrelation_lag1: windowed(n, 61, [r], (s, e) =>
      correlation(r.subarray(s + 1, e + 1), r.subarray(s, e), 0, e - s - 1),
    ),
  };
  // Each window's mean and std (resp. skewness and kurtosis) from one computation.
  for (const w of [5, 15, 30, 60, 120]) {
    const { mean, std } = windowedMeanStd(close, w);
    out[`mean_${w}min`] = mean;
    out[`std_${w}min`] = std;
  }
  for (const w of [5, 15, 30, 120]) {
    const { skew, kurt } = windowedMoments(r, w);
    out[`skew_${w}min`] = skew;
    out[`kurt_${w}min`] = kurt;
  }
  return out;
}

import type { M1Bars } from '../m1Bars.js';
import { correlation, logReturns, mean, moments, sampleStd, windowed } from '../rolling.js';

/** Median of a small array (sorted copy). */
function median(values: number[]): number {
  const s = values.sort((a, b) => a - b);
  const mid = s.length >> 1;
  return s.length % 2 ? s[mid]! : (s[mid - 1]! + s[mid]!) / 2;
}

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
  const out: Record<string, Float64Array> = {
    skewness_60min: windowed(n, 60, [r], (s, e) => moments(r, s, e).skew),
    kurtosis_60min: windowed(n, 60, [r], (s, e) => moments(r, s, e).kurt),
    median_absolute_deviation_60min: windowed(n, 60, [r], (s, e) => {
      const w = Array.from(r.subarray(s, e + 1));
      const med = median([...w]);
      return median(w.map((x) => Math.abs(x - med)));
    }),
    entropy_60min: windowed(n, 60, [r], (s, e) => signEntropy(r, s, e)),
    autocorrelation_lag1: windowed(n, 61, [r], (s, e) =>
      correlation(r.subarray(s + 1, e + 1), r.subarray(s, e), 0, e - s - 1),
    ),
  };
  for (const w of [5, 15, 30, 60, 120])
    out[`mean_${w}min`] = windowed(n, w, [close], (s, e) => mean(close, s, e));
  for (const w of [5, 15, 30, 60, 120])
    out[`std_${w}min`] = windowed(n, w, [close], (s, e) => sampleStd(close, s, e));
  for (const w of [5, 15, 30, 120])
    out[`skew_${w}min`] = windowed(n, w, [r], (s, e) => moments(r, s, e).skew);
  for (const w of [5, 15, 30, 120])
    out[`kurt_${w}min`] = windowed(n, w, [r], (s, e) => moments(r, s, e).kurt);
  return out;
}

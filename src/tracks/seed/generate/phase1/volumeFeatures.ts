import type { M1Bars } from '../m1Bars.js';
import { correlation, logReturns, mean, range, sampleStd, slope, windowed } from '../rolling.js';

/** `volume_features_{pair}`: 10 columns (docs/demo-data.md). */
export function volumeFeatures(bars: M1Bars): Record<string, Float64Array> {
  const v = bars.volume;
  const n = v.length;
  const r = logReturns(bars.close);
  const ratio = (w: number) => windowed(n, w, [v], (s, e) => v[e]! / mean(v, s, e));
  return {
    w15_volume_ratio: ratio(15),
    w30_volume_ratio: ratio(30),
    w60_volume_ratio: ratio(60),
    volume_spike: windowed(n, 60, [v], (s, e) => (v[e]! - mean(v, s, e)) / sampleStd(v, s, e)),
    volume_trend_slope: windowed(n, 60, [v], (s, e) => slope(v, s, e)),
    cumulative_volume_60min: windowed(n, 60, [v], (s, e) => {
      let sum = 0;
      for (let i = s; i <= e; i++) sum += v[i]!;
      return sum;
    }),
    volume_weighted_return: windowed(n, 15, [v, r], (s, e) => {
      let num = 0;
      let den = 0;
      for (let i = s; i <= e; i++) {
        num += v[i]! * r[i]!;
        den += v[i]!;
      }
      return num / den;
    }),
    volume_price_correlation_60min: windowed(n, 60, [v], (s, e) =>
      correlation(v, bars.close, s, e),
    ),
    relative_volume_position: windowed(n, 60, [v], (s, e) => {
      const { min, max } = range(v, s, e);
      return max > min ? (v[e]! - min) / (max - min) : Number.NaN;
    }),
    volume_volatility_60min: windowed(n, 60, [v], (s, e) => sampleStd(v, s, e) / mean(v, s, e)),
  };
}

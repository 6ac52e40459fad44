import { describe, expect, it } from 'vitest';
import {
  mean,
  moments,
  sampleStd,
  windowed,
  windowedMeanStd,
  windowedMoments,
} from '../../../src/tracks/seed/generate/rolling.js';
import { rollingMad } from '../../../src/tracks/seed/generate/rollingMad.js';

/** The demo data's definition: sort the window, then sort the deviations from its median. */
function madBySorting(x: Float64Array, n: number): Float64Array {
  const median = (v: number[]) => {
    const s = v.sort((a, b) => a - b);
    const mid = s.length >> 1;
    return s.length % 2 ? s[mid]! : (s[mid - 1]! + s[mid]!) / 2;
  };
  return windowed(x.length, n, [x], (s, e) => {
    const w = Array.from(x.subarray(s, e + 1));
    const med = median([...w]);
    return median(w.map((v) => Math.abs(v - med)));
  });
}

/** A deterministic series with ties, signed zeros and NULL holes (NaN). */
function awkwardSeries(length: number): Float64Array {
  let state = 12345;
  const u = () => {
    state = (Math.imul(state, 1103515245) + 12345) >>> 0;
    return state / 2 ** 32;
  };
  return Float64Array.from({ length }, () => {
    const p = u();
    if (p < 0.03) return Number.NaN;
    if (p < 0.12) return 0;
    if (p < 0.18) return -0;
    if (p < 0.5) return Math.round(u() * 16) / 4 - 2;
    return (u() - 0.5) * 1e-4;
  });
}

/** Indices where two columns differ bit for bit (−0 ≠ 0, NaN = NaN). */
function differences(a: Float64Array, b: Float64Array): number[] {
  const out: number[] = [];
  for (let i = 0; i < a.length; i++) if (!Object.is(a[i], b[i])) out.push(i);
  return out;
}

describe('the seed generators, bit for bit as their definitions', () => {
  const x = awkwardSeries(4000);

  it.each([1, 2, 5, 60, 61])('rolling MAD of window %i equals sorting each window', (n) => {
    expect(differences(rollingMad(x, n), madBySorting(x, n))).toEqual([]);
  });

  it.each([2, 5, 60, 120])('mean and std of window %i in one pass equal the two passes', (n) => {
    const one = windowedMeanStd(x, n);
    expect(
      differences(
        one.mean,
        windowed(x.length, n, [x], (s, e) => mean(x, s, e)),
      ),
    ).toEqual([]);
    expect(
      differences(
        one.std,
        windowed(x.length, n, [x], (s, e) => sampleStd(x, s, e)),
      ),
    ).toEqual([]);
  });

  it.each([5, 60])('skewness and kurtosis of window %i from one computation', (n) => {
    const one = windowedMoments(x, n);
    const skew = windowed(x.length, n, [x], (s, e) => moments(x, s, e).skew);
    const kurt = windowed(x.length, n, [x], (s, e) => moments(x, s, e).kurt);
    expect(differences(one.skew, skew)).toEqual([]);
    expect(differences(one.kurt, kurt)).toEqual([]);
  });

  it('has windows that are not NULL, so the comparisons compare values', () => {
    const mad = rollingMad(x, 5);
    expect(mad.some((v) => v > 0)).toBe(true);
    expect(mad.some((v) => Number.isNaN(v))).toBe(true);
  });
});

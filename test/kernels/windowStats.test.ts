import { describe, expect, it } from 'vitest';
import { nullPrefix } from '../../src/tracks/kernels/nulls.js';
import { rollingStats } from '../../src/tracks/kernels/windowStats.js';
import { refRolling } from './reference.js';
import { level100, nullRows, SERIES, worstError } from './series.js';

const TOL = 1e-9;
const N = NaN;

describe('rollingStats', () => {
  it('computes mean, sample std, min and max of the last n rows including t', () => {
    const s = rollingStats(Float64Array.from([1, 2, 3, 4, 6]), 3);
    expect(Array.from(s.mean)).toEqual([N, N, 2, 3, 13 / 3]);
    expect(Array.from(s.std.subarray(0, 4))).toEqual([N, N, 1, 1]);
    expect(s.std[4]).toBeCloseTo(Math.sqrt(7 / 3), 14);
    expect(Array.from(s.min)).toEqual([N, N, 1, 2, 3]);
    expect(Array.from(s.max)).toEqual([N, N, 3, 4, 6]);
  });

  for (const [name, make] of SERIES) {
    it(`matches an exact per-window computation on ${name}`, () => {
      const x = make(3000);
      for (const n of [2, 20, 120]) {
        const got = rollingStats(x, n);
        const ref = refRolling(x, n);
        for (const key of ['mean', 'std', 'min', 'max'] as const) {
          const worst = worstError(got[key], ref[key]);
          expect(worst.error, `${key} n=${n} ${JSON.stringify(worst)}`).toBeLessThanOrEqual(TOL);
        }
      }
    });
  }

  it('leaves the first n−1 rows null', () => {
    const s = rollingStats(level100(50), 20);
    for (const col of [s.mean, s.std, s.min, s.max]) {
      expect(nullRows(col)).toEqual(Array.from({ length: 19 }, (_, i) => i));
    }
  });

  it('nulls every window that contains a NaN or infinite input', () => {
    const x = level100(60);
    x[25] = NaN;
    x[40] = -Infinity;
    const s = rollingStats(x, 5);
    const expected = [0, 1, 2, 3, 25, 26, 27, 28, 29, 40, 41, 42, 43, 44];
    for (const col of [s.mean, s.std, s.min, s.max]) expect(nullRows(col)).toEqual(expected);
  });

  it('gives the exact value as mean and exactly zero std on a constant window', () => {
    // 0.1 · 7 / 7 is not 0.1 in floating point; the constant test must not go through sums.
    const x = new Float64Array(12).fill(0.1);
    x[0] = 0.3;
    const s = rollingStats(x, 7);
    for (let t = 7; t < 12; t++) {
      expect(s.mean[t]).toBe(0.1);
      expect(s.std[t]).toBe(0);
      expect(s.min[t]).toBe(0.1);
      expect(s.max[t]).toBe(0.1);
    }
    expect(s.std[6]).toBeGreaterThan(0);
  });

  it('keeps sample std null for a window of one row', () => {
    const s = rollingStats(Float64Array.from([5, 7]), 1);
    expect(Array.from(s.mean)).toEqual([5, 7]);
    expect(Array.from(s.std)).toEqual([N, N]);
  });

  it('reuses a precomputed null prefix', () => {
    const x = level100(200);
    x[90] = NaN;
    expect(rollingStats(x, 30, nullPrefix(x))).toEqual(rollingStats(x, 30));
  });

  it('rejects a window length that is not a positive integer', () => {
    expect(() => rollingStats(new Float64Array(3), 0)).toThrow(RangeError);
    expect(() => rollingStats(new Float64Array(3), 2.5)).toThrow(RangeError);
  });

  it('returns null rather than infinity when values overflow', () => {
    const x = Float64Array.from({ length: 10 }, (_, i) => (i % 2 === 0 ? 1e308 : -1e308));
    const s = rollingStats(x, 4);
    for (const col of [s.mean, s.std, s.min, s.max]) {
      expect(col.every((v) => Number.isFinite(v) || Number.isNaN(v))).toBe(true);
    }
  });
});

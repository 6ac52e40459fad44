import { describe, expect, it } from 'vitest';
import { REG_METRICS, REG_WINDOWS, regColumns } from '../../src/db/contract/columns.js';
import { computeRegression } from '../../src/tracks/kernels/quadraticFit.js';
import { expectFitAccurate, idxMetrics } from './fitAccuracy.js';
import { countInfinities, nullRows, SERIES, zeroCrossing } from './series.js';

describe('computeRegression', () => {
  it('returns the 90 contract columns of each domain in contract order', () => {
    const y = zeroCrossing(200);
    for (const domain of ['idx', 'bqx'] as const) {
      const cols = computeRegression(y, domain);
      expect([...cols.keys()]).toEqual(regColumns(domain));
      for (const c of cols.values()) expect(c.length).toBe(200);
    }
  });

  for (const [name, make] of SERIES) {
    it(`agrees with a per-window householder least-squares fit on ${name}`, () => {
      const y = make(1500);
      const cols = computeRegression(y, 'idx');
      expectFitAccurate(y, cols);
      expect(countInfinities(cols.values())).toBe(0);
    });
  }

  it('recovers an exact parabola in z with a perfect fit', () => {
    // y = 3z² − 2z + 5 on the window's own z, for n = 15.
    const n = 15;
    const sigma = Math.sqrt((n * n - 1) / 12);
    const y = Float64Array.from({ length: n }, (_, i) => {
      const z = (i - (n - 1) / 2) / sigma;
      return 3 * z * z - 2 * z + 5;
    });
    const m = idxMetrics(computeRegression(y, 'idx'), 'w15');
    expect(m.a2[14]).toBeCloseTo(3, 13);
    expect(m.a1[14]).toBeCloseTo(-2, 13);
    expect(m.b[14]).toBeCloseTo(5, 13);
    expect(m.r2[14]).toBeCloseTo(1, 13);
    expect(m.rmse[14]).toBeLessThan(1e-13);
    expect(m.vertex_x[14]).toBeCloseTo(1 / 3, 13);
    expect(m.vertex_y[14]).toBeCloseTo(5 - 1 / 3, 13);
    expect(m.prediction[14]).toBeCloseTo(y[14]!, 13);
  });

  it('leaves the first n−1 rows null for window n', () => {
    const cols = computeRegression(zeroCrossing(200), 'bqx');
    for (const [suffix, n] of REG_WINDOWS) {
      for (const m of REG_METRICS) {
        const rows = nullRows(cols.get(`${m}_bqx_${suffix}`)!);
        expect(rows.slice(0, n - 1), `${m}_bqx_${suffix}`).toEqual(
          Array.from({ length: n - 1 }, (_, i) => i),
        );
        expect(rows.includes(n - 1), `${m}_bqx_${suffix}`).toBe(false);
      }
    }
  });

  it('nulls every window that contains a null input', () => {
    const y = zeroCrossing(300);
    y[150] = NaN;
    y[151] = -Infinity;
    const cols = computeRegression(y, 'idx');
    for (const [suffix, n] of REG_WINDOWS) {
      const expected = Array.from({ length: 300 }, (_, t) => t).filter(
        (t) => t < n - 1 || (t >= 150 && t - n + 1 <= 151),
      );
      expect(nullRows(cols.get(`a2_idx_${suffix}`)!), suffix).toEqual(expected);
      expect(nullRows(cols.get(`rmse_idx_${suffix}`)!), suffix).toEqual(expected);
    }
    expect(countInfinities(cols.values())).toBe(0);
  });

  it('gives the docs/spec/FEATURES.md values on a constant window', () => {
    const y = new Float64Array(40).fill(0.1);
    const m = idxMetrics(computeRegression(y, 'idx'), 'w15');
    const t = 30;
    expect([m.a2[t], m.a1[t], m.b[t], m.curvature[t]]).toEqual([0, 0, 0.1, 0]);
    expect([m.rmse[t], m.residual_std[t], m.residual_mean[t]]).toEqual([0, 0, 0]);
    expect([m.prediction[t], m.pred_interval_lower[t], m.pred_interval_upper[t]]).toEqual([
      0.1, 0.1, 0.1,
    ]);
    expect([m.r2[t], m.fit_quality[t], m.vertex_x[t], m.vertex_y[t]]).toEqual([NaN, NaN, NaN, NaN]);
    expect(m.extrapolation_error[t]).toBe(0);
  });

  it('nulls extrapolation_error when the prediction is zero', () => {
    const m = idxMetrics(computeRegression(new Float64Array(40), 'idx'), 'w30');
    expect(m.prediction[35]).toBe(0);
    expect(m.extrapolation_error[35]).toBeNaN();
    expect(m.rmse[35]).toBe(0);
  });

  it('nulls the vertex when a straight line gives a2 exactly 0', () => {
    for (const [suffix, n] of REG_WINDOWS) {
      const y = Float64Array.from({ length: n + 10 }, (_, i) => 7 - 0.5 * i);
      const m = idxMetrics(computeRegression(y, 'idx'), suffix);
      for (let t = n - 1; t < y.length; t++) {
        expect(m.a2[t], suffix).toBe(0);
        expect(m.vertex_x[t], suffix).toBeNaN();
        expect(m.vertex_y[t], suffix).toBeNaN();
        expect(m.a1[t]! / Math.sqrt((n * n - 1) / 12)).toBeCloseTo(-0.5, 12);
        expect(m.r2[t]).toBeCloseTo(1, 12);
      }
    }
  });

  it('never writes infinity, even when values overflow', () => {
    const y = Float64Array.from({ length: 200 }, (_, i) => (i % 3 === 0 ? 1e308 : -1e308));
    y.fill(3, 100, 200);
    y[150] = 3 + 1e-300;
    const cols = computeRegression(y, 'bqx');
    expect(countInfinities(cols.values())).toBe(0);
  });
});

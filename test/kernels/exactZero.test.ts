import { describe, expect, it } from 'vitest';
import { REG_WINDOWS } from '../../src/db/contract/columns.js';
import { computeRegression } from '../../src/tracks/kernels/quadraticFit.js';
import { idxMetrics } from './fitAccuracy.js';

/**
 * d = 2i − n + 1 and Q = 3d² − (n² − 1): integer multiples of z and of q = z² − 1 on the
 * window's rows, so a2 ∝ Σ Q·y and the fit's basis is {1, d, Q} (computed here
 * independently of the kernel's filters).
 */
const dOf = (n: number, i: number) => 2 * i - n + 1;
const qOf = (n: number, i: number) => 3 * dOf(n, i) ** 2 - (n * n - 1);
const sum = (n: number, f: (i: number) => number) =>
  Array.from({ length: n }, (_, i) => f(i)).reduce((a, b) => a + b, 0);

/** The last row's leverage: ŷ(last) = Σ h_i·y_i, and h(last) = 1/n + d²/Σd² + Q²/ΣQ². */
function lastLeverage(n: number): number {
  const dl = dOf(n, n - 1);
  const ql = qOf(n, n - 1);
  return (
    1 / n + (dl * dl) / sum(n, (i) => dOf(n, i) ** 2) + (ql * ql) / sum(n, (i) => qOf(n, i) ** 2)
  );
}

/**
 * A window (as a series of its n values) whose curvature is exactly zero though not a
 * line: `base` plus an even bump orthogonal to Q (pair j carries −Q_k·s, pair k +Q_j·s,
 * so Σ Q·y = 2s(Q_k·Q_j − Q_j·Q_k) = 0). Dyadic base and step keep every value exact.
 */
function flatBump(n: number, j: number, k: number, base: number, s: number): Float64Array {
  const y = new Float64Array(n).fill(base);
  y[k] = y[k]! + s * qOf(n, j);
  y[n - 1 - k] = y[n - 1 - k]! + s * qOf(n, j);
  y[j] = y[j]! - s * qOf(n, k);
  y[n - 1 - j] = y[n - 1 - j]! - s * qOf(n, k);
  return y;
}

const STEPS = [2 ** -14, 3 * 2 ** -20, 5 * 2 ** -17, 0.75, 7 * 2 ** -30];

describe('mathematically zero a2 and prediction (docs/spec/FEATURES.md "= 0")', () => {
  it('gives prediction 0 and a null extrapolation_error on a dyadic ramp that ends at 0', () => {
    const end = 120;
    for (const step of STEPS) {
      const y = Float64Array.from({ length: 200 }, (_, i) => (i - end) * step);
      const cols = computeRegression(y, 'idx');
      for (const [suffix] of REG_WINDOWS) {
        const m = idxMetrics(cols, suffix);
        const at = `${suffix} step ${step}`;
        expect(Object.is(m.prediction[end], 0), `${at}: prediction ${m.prediction[end]}`).toBe(
          true,
        );
        expect(m.extrapolation_error[end], at).toBeNaN();
        expect([m.a2[end], m.vertex_x[end], m.vertex_y[end]], at).toEqual([0, NaN, NaN]);
        // Beside it the prediction is the ramp's own value and the error is defined.
        for (const t of [end - 1, end + 1]) {
          expect(m.prediction[t]! / ((t - end) * step), at).toBeCloseTo(1, 12);
          expect(Number.isNaN(m.extrapolation_error[t]!), at).toBe(false);
        }
      }
    }
  });

  it('nulls the vertex of a window whose exact a2 is 0 though its float is not', () => {
    let cases = 0;
    for (const [suffix, n] of REG_WINDOWS) {
      for (const base of [0, 0.375, 100, -3 * 2 ** -12]) {
        for (let j = 0; j < n >> 1; j += 3) {
          for (let k = j + 1; k < n >> 1; k += 4) {
            const y = flatBump(n, j, k, base, base === 100 ? 2 ** -30 : 2 ** -20);
            const m = idxMetrics(computeRegression(y, 'idx'), suffix);
            const at = `${suffix} base ${base} pairs ${j},${k}: a2 ${m.a2[n - 1]}`;
            expect([m.a2[n - 1], m.curvature[n - 1]], at).toEqual([0, 0]);
            expect([m.vertex_x[n - 1], m.vertex_y[n - 1]], at).toEqual([NaN, NaN]);
            expect(Number.isNaN(m.r2[n - 1]!), at).toBe(false);
            cases++;
          }
        }
      }
    }
    expect(cases).toBeGreaterThan(200);
  });

  it('keeps an a2 and a prediction that are tiny but not zero, at their exact values', () => {
    for (const [suffix, n] of REG_WINDOWS) {
      // The ramp ends at δ instead of 0: ŷ(last) = h(last)·δ exactly, far below the
      // rounding noise (~1e-19) of the filters on values of 1e-3.
      const delta = 2 ** -70;
      const y = Float64Array.from({ length: n }, (_, i) => (i - (n - 1)) * 2 ** -14);
      y[n - 1] = delta;
      const m = idxMetrics(computeRegression(y, 'idx'), suffix);
      const want = lastLeverage(n) * delta;
      expect(m.prediction[n - 1]! / want, suffix).toBeCloseTo(1, 12);
      expect((m.extrapolation_error[n - 1]! * want) / m.residual_std[n - 1]!, suffix).toBeCloseTo(
        1,
        12,
      );
      // a2 = (n² − 1)·Σ Q·y / ΣQ², here (n² − 1)·Q(last)·δ / ΣQ².
      const a2 = ((n * n - 1) * qOf(n, n - 1) * delta) / sum(n, (i) => qOf(n, i) ** 2);
      expect(m.a2[n - 1]! / a2, suffix).toBeCloseTo(1, 12);
      expect(Number.isFinite(m.vertex_x[n - 1]!), suffix).toBe(true);
    }
  });
});

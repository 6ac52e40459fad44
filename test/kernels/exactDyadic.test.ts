import { describe, expect, it } from 'vitest';
import { exactDot } from '../../src/tracks/kernels/exactDyadic.js';
import { exactQuadratic } from '../../src/tracks/kernels/quadraticExact.js';
import { REG_WINDOWS } from '../../src/db/contract/columns.js';

const dot = (y: number[], w: bigint[], start = 0) => exactDot(Float64Array.from(y), start, w);
const MIN_SUB = 2 ** -1074;

describe('exactDot', () => {
  const cases: Array<[string, number[], bigint[], number]> = [
    ['exact cancellation of dyadic values', [0.5, 0.25, -0.75], [1n, 1n, 1n], 0],
    // 0.1 + 0.2 and 0.30000000000000004 are three different binary fractions.
    [
      'no cancellation that only rounding gives',
      [0.1, 0.2, -(0.1 + 0.2)],
      [1n, 1n, 1n],
      -(2 ** -55),
    ],
    ['values 600 binades apart', [1e300, -1e300, 1e-300], [1n, 1n, 1n], 1e-300],
    ['a huge sum of equal terms', [2 ** 1000, 2 ** 1000], [3n, 5n], 2 ** 1003],
    ['the smallest subnormal', [MIN_SUB, 0], [1n, 7n], MIN_SUB],
    ['subnormals that cancel', [3 * MIN_SUB, MIN_SUB], [1n, -3n], 0],
    ['negative zero and zero', [-0, 0, 0.5], [5n, -5n, 0n], 0],
    ['large integer weights', [2 ** -30, -(2 ** -31)], [2n ** 80n, 2n ** 81n], 0],
    ['a sum that only the last bit keeps', [1, 2 ** -52], [1n, 1n], 1 + 2 ** -52],
  ];
  for (const [name, y, w, want] of cases) {
    it(`computes ${name}`, () => {
      expect(dot(y, w)).toBe(want);
    });
  }

  it('reads the window at its start offset', () => {
    expect(dot([7, 0.5, -0.5], [1n, 1n], 1)).toBe(0);
    expect(dot([7, 0.5, -0.5], [1n, 1n], 0)).toBe(7.5);
  });

  it('rounds a sum wider than 64 bits to the nearest double', () => {
    // 1 + 2^-53 + 2^-105: just above the tie, so it rounds up to 1 + 2^-52.
    expect(dot([1, 2 ** -53, 2 ** -105], [1n, 1n, 1n])).toBe(1 + 2 ** -52);
    expect(dot([1, 2 ** -53], [1n, 1n])).toBe(1); // the tie goes to even
  });

  it('refuses a value that is not finite', () => {
    expect(() => dot([1, Number.NaN], [1n, 1n])).toThrow(/finite/);
  });
});

describe('exactQuadratic', () => {
  for (const [suffix, n] of REG_WINDOWS) {
    it(`has weights that fit a parabola exactly for ${suffix}`, () => {
      const { a2Weights, predictionWeights } = exactQuadratic(n);
      const on = (w: readonly bigint[], p: (i: bigint) => bigint) =>
        w.reduce((s, wi, i) => s + wi * p(BigInt(i)), 0n);
      const last = BigInt(n - 1);
      // Σ Q·1 = Σ Q·i = 0 and Σ Q·i² ≠ 0: a2 ignores lines and sees curvature.
      expect([on(a2Weights, () => 1n), on(a2Weights, (i) => i)]).toEqual([0n, 0n]);
      expect(on(a2Weights, (i) => i * i)).not.toBe(0n);
      // The prediction reproduces 1, i and i² at the last row.
      const one = on(predictionWeights, () => 1n);
      expect(one > 0n).toBe(true);
      expect(on(predictionWeights, (i) => i)).toBe(one * last);
      expect(on(predictionWeights, (i) => i * i)).toBe(one * last * last);
    });
  }

  it('scales to the kernel coefficients: a2 and the prediction of an exact parabola', () => {
    // y = i² on rows 0 … n−1: z = (i − c)/σ, so a2 = σ² = (n² − 1)/12 and ŷ(last) = (n − 1)².
    for (const [, n] of REG_WINDOWS) {
      const y = Float64Array.from({ length: n }, (_, i) => i * i);
      const ex = exactQuadratic(n);
      expect(exactDot(y, 0, ex.a2Weights) * ex.a2Scale).toBeCloseTo((n * n - 1) / 12, 12);
      expect(exactDot(y, 0, ex.predictionWeights) * ex.predictionScale).toBeCloseTo(
        (n - 1) ** 2,
        10,
      );
    }
  });
});

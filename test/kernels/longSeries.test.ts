import { describe, expect, it } from 'vitest';
import { computeBollinger } from '../../src/tracks/kernels/bollinger.js';
import { computeRegression } from '../../src/tracks/kernels/quadraticFit.js';
import { rollingStats } from '../../src/tracks/kernels/windowStats.js';
import { expectFitAccurate } from './fitAccuracy.js';
import { refBollinger, refRolling } from './reference.js';
import { level100, worstError } from './series.js';

/** 100k bars near 100 moving by 1e-4: what a year of rate_index looks like to a kernel. */
const LENGTH = 100_000;
const TAIL = 300;
const x = level100(LENGTH, 11);
const tail = x.subarray(LENGTH - TAIL);
const inTail = (t: number) => t >= 120;

/** Rolling sample std from running Σx and Σx² over the whole series: the approach to avoid. */
function runningSumStd(values: Float64Array, n: number): Float64Array {
  const out = new Float64Array(values.length).fill(Number.NaN);
  let s = 0;
  let ss = 0;
  for (let t = 0; t < values.length; t++) {
    s += values[t]!;
    ss += values[t]! * values[t]!;
    if (t >= n) {
      s -= values[t - n]!;
      ss -= values[t - n]! * values[t - n]!;
    }
    if (t >= n - 1) out[t] = Math.sqrt(Math.max(0, (ss - (s * s) / n) / (n - 1)));
  }
  return out;
}

describe('kernels at the end of a 100k-row series near 100', () => {
  it('is hard enough that running sums miss the 1e-9 bound', () => {
    const ref = refRolling(tail, 120).std;
    const naive = runningSumStd(x, 120).subarray(LENGTH - TAIL);
    expect(worstError(naive, ref, { check: inTail }).error).toBeGreaterThan(1e-6);
  });

  it('keeps the rolling std within 1e-9 of the exact value', () => {
    const got = rollingStats(x, 120).std.subarray(LENGTH - TAIL);
    const ref = refRolling(tail, 120).std;
    expect(worstError(got, ref, { check: inTail }).error).toBeLessThanOrEqual(1e-9);
  });

  it('keeps every bollinger column within 1e-9', () => {
    const got = computeBollinger(x);
    const ref = refBollinger(tail);
    for (const [name, col] of ref) {
      const worst = worstError(got.get(name)!.subarray(LENGTH - TAIL), col, { check: inTail });
      expect(worst.error, name).toBeLessThanOrEqual(1e-9);
    }
  });

  it('keeps every regression metric within 1e-8 of a per-window fit', () => {
    const got = computeRegression(x, 'idx');
    const tailCols = new Map([...got].map(([k, v]) => [k, v.subarray(LENGTH - TAIL)]));
    expectFitAccurate(tail, tailCols, true);
  });
});

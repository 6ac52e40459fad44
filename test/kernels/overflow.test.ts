import { describe, expect, it } from 'vitest';
import { BOLLINGER_WINDOWS, REG_WINDOWS, regColumns } from '../../src/db/contract/columns.js';
import { computeBollinger } from '../../src/tracks/kernels/bollinger.js';
import { OverflowCounts } from '../../src/tracks/kernels/overflow.js';
import { computeRegression } from '../../src/tracks/kernels/quadraticFit.js';
import { countInfinities, nullRows, zeroCrossing } from './series.js';

/** A BQX-like series with one value of 1e300 at row `at`. */
function spiked(length: number, at: number): Float64Array {
  const x = zeroCrossing(length);
  x[at] = 1e300;
  return x;
}

describe('overflow counts of the window kernels', () => {
  it('counts the Bollinger values a 1e300 input overflows, per column', () => {
    const overflow = new OverflowCounts();
    const cols = computeBollinger(spiked(400, 200), overflow);
    // A window holding 1e300 has a finite mean (1e300/n) and an infinite variance: its
    // bands, width and percent_b overflow; a slope overflows where either width does.
    const want: Record<string, number> = {};
    for (const n of BOLLINGER_WINDOWS) {
      for (const m of ['upper', 'lower', 'width', 'percent_b']) want[`bb_${m}_${n}`] = n;
    }
    want['bb_slope_20'] = 21;
    want['bb_slope_60'] = 61;
    expect(overflow.toRecord()).toEqual(want);
    expect(overflow.total).toBe(Object.values(want).reduce((a, b) => a + b, 0));
    expect(nullRows(cols.get('bb_middle_120')!)).toEqual([...Array(119).keys()]);
    expect(countInfinities(cols.values())).toBe(0);
  });

  it('counts only rows from its first row on (the unit month, not its look-back)', () => {
    const overflow = new OverflowCounts(210);
    computeBollinger(spiked(400, 200), overflow);
    const got = overflow.toRecord();
    expect(got['bb_upper_20']).toBe(10);
    expect(got['bb_width_120']).toBe(110);
    expect(got['bb_slope_60']).toBe(51);
  });

  it('counts every defined regression value written NULL, and no rule NULL', () => {
    const y = spiked(400, 200);
    const overflow = new OverflowCounts(150);
    const cols = computeRegression(y, 'idx', () => {}, overflow);
    // The series has no NULL input and no constant window, and a2 and the prediction are
    // never 0 on it: every NULL from row n−1 on is a value that overflowed.
    const want: Record<string, number> = {};
    for (const [suffix, n] of REG_WINDOWS) {
      for (const name of regColumns('idx').filter((c) => c.endsWith(`_idx_${suffix}`))) {
        const count = nullRows(cols.get(name)!).filter((t) => t >= Math.max(n - 1, 150)).length;
        if (count > 0) want[name] = count;
      }
    }
    expect(overflow.toRecord()).toEqual(want);
    // The residuals of a window holding 1e300 overflow: rmse is NULL on exactly those rows.
    expect(want['rmse_idx_w15']).toBe(15);
    expect(want['rmse_idx_agg']).toBe(90);
    expect(countInfinities(cols.values())).toBe(0);
  });

  it('counts nothing for NaN and infinite inputs (they are NULL inputs) or ordinary data', () => {
    const x = zeroCrossing(400);
    x[100] = Number.NaN;
    x[200] = Number.POSITIVE_INFINITY;
    x[300] = Number.NEGATIVE_INFINITY;
    const t1 = new OverflowCounts();
    const t2 = new OverflowCounts();
    computeBollinger(x, t1);
    computeRegression(x, 'bqx', () => {}, t2);
    expect([t1.toRecord(), t1.total, t2.toRecord(), t2.total]).toEqual([{}, 0, {}, 0]);
  });

  it('does not count the NULL rules: constant windows, a2 = 0, prediction = 0', () => {
    const x = new Float64Array(300);
    x.fill(0.25, 0, 150);
    for (let i = 150; i < 300; i++) x[i] = (i - 200) * 2 ** -14;
    const t1 = new OverflowCounts();
    const t2 = new OverflowCounts();
    computeBollinger(x, t1);
    computeRegression(x, 'bqx', () => {}, t2);
    expect([t1.total, t2.total]).toEqual([0, 0]);
  });
});

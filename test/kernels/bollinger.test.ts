import { describe, expect, it } from 'vitest';
import { BOLLINGER_BQX_COLUMNS, BOLLINGER_WINDOWS } from '../../src/db/contract/columns.js';
import { BollingerRows, computeBollinger } from '../../src/tracks/kernels/bollinger.js';
import { OverflowCounts } from '../../src/tracks/kernels/overflow.js';
import { refBollinger } from './reference.js';
import { countInfinities, nullRows, SERIES, zeroCrossing, worstError } from './series.js';

const TOL = 1e-9;
const range = (from: number, to: number) => Array.from({ length: to - from }, (_, i) => from + i);

function col(cols: Map<string, Float64Array>, name: string): Float64Array {
  const c = cols.get(name);
  if (c === undefined) throw new Error(`missing column ${name}`);
  return c;
}

describe('computeBollinger', () => {
  it('gives the same bits computed a range of rows at a time (as Track 1 writes)', () => {
    // NULLs, a constant run, values that overflow: every case crosses a range boundary.
    const x = zeroCrossing(3000);
    for (const i of [5, 700, 701, 1999]) x[i] = Number.NaN;
    x.fill(1.5, 1200, 1400);
    x.fill(1e308, 2500, 2520);
    const whole = new OverflowCounts(120);
    const once = computeBollinger(x, whole);
    for (const step of [1, 7, 119, 2048]) {
      const parts = new OverflowCounts(120);
      const rows = new BollingerRows(x, parts);
      for (let end = step; rows.computed < x.length; end += step) rows.computeUntil(end);
      for (const key of BOLLINGER_BQX_COLUMNS)
        expect(Buffer.from(col(rows.columns, key).buffer), `${key} in steps of ${step}`).toEqual(
          Buffer.from(col(once, key).buffer),
        );
      expect(parts.toRecord()).toEqual(whole.toRecord());
    }
    expect(whole.total).toBeGreaterThan(0);
  });

  it('returns the 22 contract columns in contract order', () => {
    const cols = computeBollinger(zeroCrossing(300));
    expect([...cols.keys()]).toEqual(BOLLINGER_BQX_COLUMNS);
    for (const c of cols.values()) expect(c.length).toBe(300);
  });

  for (const [name, make] of SERIES) {
    it(`matches the docs/spec/FEATURES.md definitions on ${name}`, () => {
      const x = make(2000);
      const got = computeBollinger(x);
      const ref = refBollinger(x);
      for (const key of BOLLINGER_BQX_COLUMNS) {
        const worst = worstError(col(got, key), col(ref, key));
        expect(worst.error, `${key} ${JSON.stringify(worst)}`).toBeLessThanOrEqual(TOL);
      }
      expect(countInfinities(got.values())).toBe(0);
    });
  }

  it('leaves the first n−1 rows null for window n and the first n rows for its slope', () => {
    const cols = computeBollinger(zeroCrossing(400));
    for (const n of BOLLINGER_WINDOWS) {
      for (const m of ['upper', 'middle', 'lower', 'width', 'percent_b']) {
        expect(nullRows(col(cols, `bb_${m}_${n}`)), `bb_${m}_${n}`).toEqual(range(0, n - 1));
      }
    }
    expect(nullRows(col(cols, 'bb_slope_20'))).toEqual(range(0, 20));
    expect(nullRows(col(cols, 'bb_slope_60'))).toEqual(range(0, 60));
  });

  it('nulls every window that contains a null input, and the slopes next to them', () => {
    const x = zeroCrossing(400);
    x[200] = NaN;
    x[300] = Infinity;
    const cols = computeBollinger(x);
    // Row t is NULL when rows t−n+1−extra … t hold a NULL or reach before row 0.
    const nulled = (n: number, extra: number) =>
      range(0, 400).filter((t) => {
        const from = t - n + 1 - extra;
        return from < 0 || (from <= 200 && t >= 200) || (from <= 300 && t >= 300);
      });
    for (const n of BOLLINGER_WINDOWS) {
      expect(nullRows(col(cols, `bb_middle_${n}`))).toEqual(nulled(n, 0));
      expect(nullRows(col(cols, `bb_percent_b_${n}`))).toEqual(nulled(n, 0));
    }
    expect(nullRows(col(cols, 'bb_slope_20'))).toEqual(nulled(20, 1));
    expect(countInfinities(cols.values())).toBe(0);
  });

  it('gives zero width and a null percent_b on a constant window', () => {
    const x = zeroCrossing(200);
    x.fill(1e-4, 50, 150);
    const cols = computeBollinger(x);
    for (let t = 69; t < 150; t++) {
      expect(col(cols, 'bb_middle_20')[t]).toBe(1e-4);
      expect(col(cols, 'bb_upper_20')[t]).toBe(1e-4);
      expect(col(cols, 'bb_lower_20')[t]).toBe(1e-4);
      expect(col(cols, 'bb_width_20')[t]).toBe(0);
      expect(col(cols, 'bb_percent_b_20')[t]).toBeNaN();
      if (t > 69) expect(col(cols, 'bb_slope_20')[t]).toBe(0);
    }
    expect(col(cols, 'bb_percent_b_20')[68]).not.toBeNaN();
    expect(col(cols, 'bb_percent_b_20')[150]).not.toBeNaN();
  });

  it('gives percent_b 1 on the upper band and 0 on the lower band', () => {
    // Window of 20: nineteen zeros and a 1 at t. mean = 1/20, s = √(1/20); x(t) sits above.
    const x = new Float64Array(40);
    x[39] = 1;
    const cols = computeBollinger(x);
    const pb = col(cols, 'bb_percent_b_20')[39]!;
    const upper = col(cols, 'bb_upper_20')[39]!;
    const lower = col(cols, 'bb_lower_20')[39]!;
    expect(pb).toBeCloseTo((1 - lower) / (upper - lower), 14);
    expect(col(cols, 'bb_width_20')[39]).toBeCloseTo(4 * Math.sqrt(1 / 20), 15);
  });
});

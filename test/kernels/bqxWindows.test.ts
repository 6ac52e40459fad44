import { describe, expect, it } from 'vitest';
import {
  BQX_FEATURE_COLUMNS,
  BQX_WINDOW_METRICS,
  BQX_WINDOWS,
} from '../../src/db/contract/columns.js';
import { computeBqxWindows } from '../../src/tracks/kernels/bqxWindows.js';
import { refBqx } from './reference.js';
import { countInfinities, level100, nullRows, worstError } from './series.js';

const TOL = 1e-9;

function col(cols: Record<string, Float64Array>, name: string): Float64Array {
  const c = cols[name];
  if (c === undefined) throw new Error(`missing column ${name}`);
  return c;
}

describe('computeBqxWindows', () => {
  it('returns the 37 bqx feature columns in contract order', () => {
    const cols = computeBqxWindows(level100(100));
    expect(Object.keys(cols)).toEqual(BQX_FEATURE_COLUMNS);
    expect(BQX_FEATURE_COLUMNS).toHaveLength(37);
  });

  it('computes each window over the bars before t, per docs/spec/SCHEMA.md', () => {
    // idx = 1, 2, 4, 8 … for W = 15 at t = 15: window 1 … 2^14, idx(t) = 2^15.
    const idx = Float64Array.from({ length: 20 }, (_, i) => 2 ** i);
    const cols = computeBqxWindows(idx);
    const cur = 2 ** 15;
    expect(col(cols, 'w15_bqx_max')[15]).toBe(2 ** 14);
    expect(col(cols, 'w15_bqx_min')[15]).toBe(1);
    expect(col(cols, 'w15_bqx_avg')[15]).toBe((cur - 1) / 15);
    expect(col(cols, 'w15_bqx_endpoint')[15]).toBe((1 - cur) / cur);
    expect(col(cols, 'w15_bqx_return')[15]).toBe((cur - 1 - 15 * cur) / cur);
    expect(col(cols, 'w15_bqx_max')[14]).toBeNaN();
  });

  it('matches the docs/spec/SCHEMA.md definitions on a rate index near 100', () => {
    const idx = level100(2000, 7);
    const cols = computeBqxWindows(idx);
    for (const w of BQX_WINDOWS) {
      const ref = refBqx(idx, w);
      for (const m of BQX_WINDOW_METRICS) {
        const worst = worstError(col(cols, `w${w}_bqx_${m}`), ref[m]);
        expect(worst.error, `w${w}_bqx_${m} ${JSON.stringify(worst)}`).toBeLessThanOrEqual(TOL);
      }
    }
    const agg = refBqx(idx, 75);
    for (const m of ['return', 'max', 'min', 'avg', 'stdev'] as const) {
      expect(col(cols, `agg_bqx_${m}`)).toEqual(col(cols, `w75_bqx_${m}`));
    }
    const range = agg.max.map((hi, t) => (hi - agg.min[t]!) / idx[t]!);
    const vol = agg.stdev.map((s, t) => s / idx[t]!);
    expect(worstError(col(cols, 'agg_bqx_range'), range).error).toBeLessThanOrEqual(TOL);
    expect(worstError(col(cols, 'agg_bqx_volatility'), vol).error).toBeLessThanOrEqual(TOL);
    expect(countInfinities(Object.values(cols))).toBe(0);
  });

  it('is null until W earlier bars exist', () => {
    const cols = computeBqxWindows(level100(120));
    for (const w of BQX_WINDOWS) {
      for (const m of BQX_WINDOW_METRICS) {
        expect(nullRows(col(cols, `w${w}_bqx_${m}`))).toEqual(
          Array.from({ length: w }, (_, i) => i),
        );
      }
    }
    expect(nullRows(col(cols, 'agg_bqx_range'))).toHaveLength(75);
  });

  it('nulls the windows holding a null bar, and the ratios of a null bar', () => {
    const idx = level100(100);
    idx[50] = NaN;
    const cols = computeBqxWindows(idx);
    // Windows t−15 … t−1 contain bar 50 for t = 51 … 65; the ratios also need idx(50).
    const early = Array.from({ length: 15 }, (_, i) => i);
    const holding = Array.from({ length: 15 }, (_, i) => 51 + i);
    expect(nullRows(col(cols, 'w15_bqx_max'))).toEqual([...early, ...holding]);
    expect(nullRows(col(cols, 'w15_bqx_stdev'))).toEqual([...early, ...holding]);
    expect(nullRows(col(cols, 'w15_bqx_return'))).toEqual([...early, 50, ...holding]);
    expect(nullRows(col(cols, 'w15_bqx_endpoint'))).toEqual([...early, 50, ...holding]);
  });
});

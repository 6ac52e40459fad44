import {
  BQX_AGG_METRICS,
  BQX_FEATURE_COLUMNS,
  BQX_WINDOW_METRICS,
  BQX_WINDOWS,
} from '../../db/contract/columns.js';
import { inContractOrder } from './columnOrder.js';
import { finiteOrNull, nullColumn, nullPrefix, windowHasNull } from './nulls.js';
import { rollingStats } from './windowStats.js';

type WindowMetric = (typeof BQX_WINDOW_METRICS)[number];
type AggMetric = (typeof BQX_AGG_METRICS)[number];

/** The W = 75 window is the one the `agg_bqx_*` columns summarise (docs/spec/SCHEMA.md). */
const AGG_WINDOW = 75;

/**
 * The BQX source features of docs/spec/SCHEMA.md (used by the demo seeder) from the rate index: for
 * W in 15 … 75 the window is the W bars *before* t (t−W … t−1), so row t is NULL until W
 * earlier bars exist. Returns the 37 columns keyed by `BQX_FEATURE_COLUMNS` names, in that
 * order; NaN marks NULL.
 */
export function computeBqxWindows(idx: Float64Array): Record<string, Float64Array> {
  const len = idx.length;
  const nulls = nullPrefix(idx);
  const cols = new Map<string, Float64Array>();
  for (const w of BQX_WINDOWS) {
    const metrics = backwardWindow(idx, w, nulls);
    for (const m of BQX_WINDOW_METRICS) cols.set(`w${w}_bqx_${m}`, metrics[m]);
    if (w !== AGG_WINDOW) continue;
    const agg: Record<AggMetric, Float64Array> = {
      return: metrics.return.slice(),
      max: metrics.max.slice(),
      min: metrics.min.slice(),
      avg: metrics.avg.slice(),
      stdev: metrics.stdev.slice(),
      range: nullColumn(len),
      volatility: nullColumn(len),
    };
    for (let t = 0; t < len; t++) {
      const cur = idx[t]!;
      agg.range[t] = finiteOrNull((agg.max[t]! - agg.min[t]!) / cur);
      agg.volatility[t] = finiteOrNull(agg.stdev[t]! / cur);
    }
    for (const m of BQX_AGG_METRICS) cols.set(`agg_bqx_${m}`, agg[m]);
  }
  return Object.fromEntries(inContractOrder(cols, BQX_FEATURE_COLUMNS));
}

/** The six metrics of one backward window W. */
function backwardWindow(
  idx: Float64Array,
  w: number,
  nulls: Int32Array,
): Record<WindowMetric, Float64Array> {
  const len = idx.length;
  // The window ending at t−1 is windowStats' window ending at t−1: shift its rows by one.
  const stats = rollingStats(idx, w, nulls);
  const out: Record<WindowMetric, Float64Array> = {
    return: nullColumn(len),
    max: lagged(stats.max),
    min: lagged(stats.min),
    avg: lagged(stats.mean),
    stdev: lagged(stats.std),
    endpoint: nullColumn(len),
  };
  for (let t = w; t < len; t++) {
    const cur = idx[t]!;
    // A NULL idx(t) leaves the window's own statistics defined but not the ratios to it.
    if (windowHasNull(nulls, t - w, t)) continue;
    // Σ (idx(t−i) − idx(t)) summed term by term: each difference of two nearby levels is
    // exact, whereas W·(avg − idx(t)) would inherit avg's rounding at the level's scale.
    let sum = 0;
    for (let i = t - w; i < t; i++) sum += idx[i]! - cur;
    out.return[t] = finiteOrNull(sum / cur);
    out.endpoint[t] = finiteOrNull((idx[t - w]! - cur) / cur);
  }
  return out;
}

/** `a` delayed by one row: out[t] = a[t−1], out[0] = NULL. */
function lagged(a: Float64Array): Float64Array {
  const out = nullColumn(a.length);
  out.set(a.subarray(0, Math.max(a.length - 1, 0)), 1);
  return out;
}

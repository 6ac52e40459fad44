import type { M1Bars } from '../m1Bars.js';
import { logReturns, mean, range, sampleStd, slope, windowed } from '../rolling.js';

/** Sign of the price change from the previous bar; NULL on the first bar. */
function tickDirection(close: Float64Array): Float64Array {
  return close.map((c, i) => (i === 0 ? Number.NaN : Math.sign(c - close[i - 1]!)));
}

/** Tick rule: the sign of the last non-zero price change (carried forward); NULL before any. */
function tickRule(direction: Float64Array): Float64Array {
  const out = new Float64Array(direction.length).fill(Number.NaN);
  let last = Number.NaN;
  for (let i = 0; i < direction.length; i++) {
    const d = direction[i]!;
    if (d === 1 || d === -1) last = d;
    out[i] = last;
  }
  return out;
}

/** Roll (1984): 2·√(−cov(Δp_t, Δp_t−1)) over the window's pairs of changes, 0 if cov ≥ 0. */
function rollCost(dp: Float64Array, s: number, e: number): number {
  let ma = 0;
  let mb = 0;
  for (let i = s + 1; i <= e; i++) {
    ma += dp[i]!;
    mb += dp[i - 1]!;
  }
  ma /= e - s;
  mb /= e - s;
  let cov = 0;
  for (let i = s + 1; i <= e; i++) cov += (dp[i]! - ma) * (dp[i - 1]! - mb);
  cov /= e - s - 1;
  return cov < 0 ? 2 * Math.sqrt(-cov) : 0;
}

/** Share of the window `s..e` at or below its last value. */
function percentileOfLast(x: Float64Array, s: number, e: number): number {
  let below = 0;
  for (let i = s; i <= e; i++) if (x[i]! <= x[e]!) below++;
  return below / (e - s + 1);
}

/** |Σ rule·volume| / Σ volume over the window `s..e`. */
function orderFlowToxicity(rule: Float64Array, v: Float64Array, s: number, e: number): number {
  let signed = 0;
  let total = 0;
  for (let i = s; i <= e; i++) {
    signed += rule[i]! * v[i]!;
    total += v[i]!;
  }
  return Math.abs(signed) / total;
}

/** `spread_features_{pair}`: 20 columns (docs/demo-data.md). */
export function spreadFeatures(bars: M1Bars): Record<string, Float64Array> {
  const { close, open, high, low, volume: v, spread: sp } = bars;
  const n = close.length;
  const r = logReturns(close);
  const dir = tickDirection(close);
  const rule = tickRule(dir);
  const bar = (i: number) => high[i]! - low[i]!;
  const dp = close.map((c, i) => (i === 0 ? Number.NaN : c - close[i - 1]!));
  const effective = close.map((c, i) => 2 * Math.abs(c - (high[i]! + low[i]!) / 2));
  const impact = dp.map((d) => Math.abs(d));
  const bid = close.map((c, i) => (bar(i) > 0 ? (v[i]! * (c - low[i]!)) / bar(i) : Number.NaN));
  const ask = close.map((c, i) => (bar(i) > 0 ? (v[i]! * (high[i]! - c)) / bar(i) : Number.NaN));
  return {
    spread_mean_60min: windowed(n, 60, [sp], (s, e) => mean(sp, s, e)),
    spread_volatility_60min: windowed(n, 60, [sp], (s, e) => sampleStd(sp, s, e)),
    spread_pct_of_rate: sp.map((s, i) => (100 * s) / close[i]!),
    spread_trend_slope: windowed(n, 60, [sp], (s, e) => slope(sp, s, e)),
    spread_spike: windowed(n, 60, [sp], (s, e) => sp[e]! / mean(sp, s, e)),
    bid_ask_imbalance: close.map((c, i) => (bar(i) > 0 ? (c - open[i]!) / bar(i) : Number.NaN)),
    effective_spread: effective,
    quoted_spread: Float64Array.from(sp),
    realized_spread: effective.map((e, i) => e - impact[i]!),
    price_impact: impact,
    roll_cost: windowed(n, 61, [dp], (s, e) => rollCost(dp, s, e)),
    bid_depth: bid,
    ask_depth: ask,
    depth_imbalance: bid.map((b, i) =>
      b + ask[i]! > 0 ? (b - ask[i]!) / (b + ask[i]!) : Number.NaN,
    ),
    spread_range_60min: windowed(n, 60, [sp], (s, e) => {
      const { min, max } = range(sp, s, e);
      return max - min;
    }),
    spread_percentile_60min: windowed(n, 60, [sp], (s, e) => percentileOfLast(sp, s, e)),
    mid_price_volatility: windowed(n, 60, [r], (s, e) => sampleStd(r, s, e)),
    tick_direction: dir,
    tick_rule: rule,
    order_flow_toxicity: windowed(n, 60, [rule], (s, e) => orderFlowToxicity(rule, v, s, e)),
  };
}

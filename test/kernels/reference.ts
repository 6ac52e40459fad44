/**
 * Naive, obviously-correct references: every window recomputed from scratch with
 * compensated sums, the fit by Householder QR of the window's own design matrix.
 * Slow (tests only) and independent of the kernels' filter and pairing tricks.
 */
import { REG_METRICS, type RegMetric } from '../../src/db/contract/columns.js';
import { exactSum } from './series.js';

/** The window t−n+1 … t, or undefined when incomplete or holding a non-finite value. */
function windowAt(x: Float64Array, t: number, n: number): number[] | undefined {
  if (t - n + 1 < 0) return undefined;
  const w = Array.from(x.subarray(t - n + 1, t + 1));
  return w.every(Number.isFinite) ? w : undefined;
}

/** Mean, sample std, min and max of one window. */
export function refStats(w: readonly number[]) {
  const n = w.length;
  const mean = exactSum(w) / n;
  const dev = w.map((v) => (v - mean) ** 2);
  const std = n > 1 ? Math.sqrt(exactSum(dev) / (n - 1)) : Number.NaN;
  return { mean, std, min: Math.min(...w), max: Math.max(...w) };
}

/** Rolling stats by recomputing each window. */
export function refRolling(x: Float64Array, n: number) {
  const out = { mean: nan(x.length), std: nan(x.length), min: nan(x.length), max: nan(x.length) };
  for (let t = 0; t < x.length; t++) {
    const w = windowAt(x, t, n);
    if (w === undefined) continue;
    const s = refStats(w);
    out.mean[t] = s.mean;
    out.std[t] = s.std;
    out.min[t] = s.min;
    out.max[t] = s.max;
  }
  return out;
}

/** Track 1 straight from the docs/spec/FEATURES.md table. */
export function refBollinger(x: Float64Array): Map<string, Float64Array> {
  const out = new Map<string, Float64Array>();
  for (const n of [20, 30, 60, 120]) {
    const s = refRolling(x, n);
    const upper = s.mean.map((m, t) => m + 2 * s.std[t]!);
    const lower = s.mean.map((m, t) => m - 2 * s.std[t]!);
    // upper − lower = 2k·s exactly; subtracting the rounded bands would lose the mean's
    // digits on a level near 100 and make the reference, not the kernel, the inexact side.
    const width = s.std.map((sd) => 4 * sd);
    const pb = x.map((v, t) => (width[t] === 0 ? Number.NaN : (v - lower[t]!) / width[t]!));
    out.set(`bb_upper_${n}`, upper).set(`bb_middle_${n}`, s.mean).set(`bb_lower_${n}`, lower);
    out.set(`bb_width_${n}`, width).set(`bb_percent_b_${n}`, pb);
  }
  for (const n of [20, 60]) {
    const w = out.get(`bb_width_${n}`)!;
    out.set(
      `bb_slope_${n}`,
      w.map((v, t) => (t === 0 ? Number.NaN : v - w[t - 1]!)),
    );
  }
  return out;
}

/** Least squares of A β ≈ y (A: m × 3, rows) by Householder QR. */
export function householderSolve3(a: number[][], y: number[]): [number, number, number] {
  const m = a.length;
  const r = a.map((row) => row.slice());
  const b = y.slice();
  for (let k = 0; k < 3; k++) {
    const norm = Math.hypot(...r.slice(k).map((row) => row[k]!));
    const alpha = r[k]![k]! > 0 ? -norm : norm;
    const v = Array.from({ length: m }, (_, i) => (i < k ? 0 : r[i]![k]!));
    v[k] = v[k]! - alpha;
    const vv = v.reduce((s, vi) => s + vi * vi, 0);
    if (vv === 0) continue;
    for (let j = k; j < 3; j++) {
      const f = (2 * v.reduce((s, vi, i) => s + vi * r[i]![j]!, 0)) / vv;
      for (let i = k; i < m; i++) r[i]![j] = r[i]![j]! - f * v[i]!;
    }
    const f = (2 * v.reduce((s, vi, i) => s + vi * b[i]!, 0)) / vv;
    for (let i = k; i < m; i++) b[i] = b[i]! - f * v[i]!;
  }
  const c = r[2]![2] === 0 ? 0 : b[2]! / r[2]![2]!;
  const bb = (b[1]! - r[1]![2]! * c) / r[1]![1]!;
  const aa = (b[0]! - r[0]![1]! * bb - r[0]![2]! * c) / r[0]![0]!;
  return [aa, bb, c];
}

/** The 15 Track 2 metrics of one window, per the docs/spec/FEATURES.md table. */
export function refFit(w: readonly number[]): Record<RegMetric, number> {
  const n = w.length;
  const xs = w.map((_, i) => i);
  const xbar = exactSum(xs) / n;
  const sx = Math.sqrt(exactSum(xs.map((x) => (x - xbar) ** 2)) / n);
  const z = xs.map((x) => (x - xbar) / sx);
  const ybar = exactSum(w) / n;
  const yc = w.map((v) => v - ybar);
  const [a2, a1, bc] = householderSolve3(
    z.map((zi) => [zi * zi, zi, 1]),
    yc,
  );
  const b = ybar + bc;
  const e = yc.map((v, i) => v - (a2 * z[i]! ** 2 + a1 * z[i]! + bc));
  const ssRes = exactSum(e.map((v) => v * v));
  const eMean = exactSum(e) / n;
  const ssTot = exactSum(yc.map((v) => v * v));
  const r2 = ssTot === 0 ? Number.NaN : 1 - ssRes / ssTot;
  const residualStd = Math.sqrt(exactSum(e.map((v) => (v - eMean) ** 2)) / n);
  const zl = z[n - 1]!;
  const prediction = ybar + (a2 * zl * zl + a1 * zl + bc);
  const vx = a2 === 0 ? Number.NaN : -a1 / (2 * a2);
  return {
    a2,
    a1,
    b,
    r2,
    rmse: Math.sqrt(ssRes / n),
    residual_mean: eMean,
    residual_std: residualStd,
    prediction,
    pred_interval_lower: prediction - 1.96 * residualStd,
    pred_interval_upper: prediction + 1.96 * residualStd,
    vertex_x: vx,
    vertex_y: a2 * vx * vx + a1 * vx + b,
    curvature: Math.abs(a2),
    fit_quality: Number.isNaN(r2) ? Number.NaN : Math.min(1, Math.max(0, r2)),
    extrapolation_error: prediction === 0 ? Number.NaN : residualStd / Math.abs(prediction),
  };
}

/** Track 2 metrics for window n over a series, by metric. */
export function refRegression(y: Float64Array, n: number): Record<RegMetric, Float64Array> {
  const out = Object.fromEntries(REG_METRICS.map((m) => [m, nan(y.length)])) as Record<
    RegMetric,
    Float64Array
  >;
  for (let t = 0; t < y.length; t++) {
    const w = windowAt(y, t, n);
    if (w === undefined) continue;
    const fit = refFit(w);
    for (const m of REG_METRICS) out[m][t] = fit[m];
  }
  return out;
}

/** The BQX source features of window W straight from docs/spec/SCHEMA.md (window t−W … t−1). */
export function refBqx(idx: Float64Array, w: number) {
  const len = idx.length;
  const out = {
    return: nan(len),
    max: nan(len),
    min: nan(len),
    avg: nan(len),
    stdev: nan(len),
    endpoint: nan(len),
  };
  for (let t = w; t < len; t++) {
    const win = windowAt(idx, t - 1, w);
    const cur = idx[t]!;
    if (win === undefined) continue;
    const s = refStats(win);
    out.max[t] = s.max;
    out.min[t] = s.min;
    out.avg[t] = s.mean;
    out.stdev[t] = s.std;
    out.return[t] = exactSum(win.map((v) => v - cur)) / cur;
    out.endpoint[t] = (idx[t - w]! - cur) / cur;
  }
  return out;
}

function nan(length: number): Float64Array {
  return new Float64Array(length).fill(Number.NaN);
}

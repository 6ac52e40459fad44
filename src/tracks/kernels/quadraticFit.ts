import {
  REG_METRICS,
  REG_WINDOWS,
  type RegDomain,
  type RegMetric,
} from '../../db/contract/columns.js';
import { equalRunStarts, windowIsConstant } from './constantRuns.js';
import { exactDot } from './exactDyadic.js';
import { nullColumn, nullPrefix, windowHasNull } from './nulls.js';
import { OverflowCounts } from './overflow.js';
import { type QuadraticFilters, quadraticFilters } from './quadraticFilters.js';
import { type ExactQuadratic, exactQuadratic } from './quadraticExact.js';

/** Prediction interval half-width in residual standard deviations (docs/spec/FEATURES.md). */
const Z95 = 1.96;

/**
 * A float a2 or prediction this close to zero, relative to the size its terms can have
 * (below), is recomputed exactly from the window's values. The rounding of the filters is
 * at most about n·2^-53 of that size (~1e-14 for n = 90), so a result that is exactly 0
 * always falls inside; real data almost never does, so the hot path stays float.
 */
const NEAR_ZERO = 2 ** -32;
/** Σu² below this may have underflowed: the window is settled exactly whatever its result. */
const TINY_SUM_OF_SQUARES = 2 ** -900;

type MetricColumns = Record<RegMetric, Float64Array>;
/** Per metric: defined values of a window length that overflowed (were written NULL). */
type MetricCounts = Record<RegMetric, number>;

const zeroCounts = (): MetricCounts =>
  Object.fromEntries(REG_METRICS.map((m) => [m, 0])) as MetricCounts;

/**
 * Track 2: the parabolic regression features of `y` (docs/spec/FEATURES.md) for windows
 * w15 … agg(90). Returns the 90 columns `{metric}_{domain}_{window}`, iterating in
 * `regColumns(domain)` order (`onWindow` is told each window as it starts: progress);
 * NaN marks NULL (incomplete windows, windows holding a NULL, and the metrics' own NULL
 * rules). Defined values that overflow are written NULL and counted in `overflow`.
 */
export function computeRegression(
  y: Float64Array,
  domain: RegDomain,
  onWindow: (window: string) => void = () => {},
  overflow: OverflowCounts = new OverflowCounts(),
): Map<string, Float64Array> {
  const nulls = nullPrefix(y);
  const runs = equalRunStarts(y);
  const out = new Map<string, Float64Array>();
  for (const [suffix, n] of REG_WINDOWS) {
    onWindow(suffix);
    const { cols, bad } = fitWindows(y, nulls, runs, quadraticFilters(n), overflow.fromRow);
    for (const metric of REG_METRICS) {
      const name = `${metric}_${domain}_${suffix}`;
      out.set(name, cols[metric]);
      overflow.add(name, bad[metric]);
    }
  }
  return out;
}

/**
 * Fits every complete window of length `f.n`. Each window is centred on its own mean and
 * its residuals are computed explicitly (O(n) a row): running sums over a month cannot
 * reach 1e-8 relative on a level near 100 moving by 1e-4.
 */
// biome-ignore lint/complexity/noExcessiveCognitiveComplexity: per-window fit kept in one loop: explicit residuals reach 1e-8 relative only this way
function fitWindows(
  y: Float64Array,
  nulls: Int32Array,
  runs: Int32Array,
  f: QuadraticFilters,
  countFrom: number,
): { cols: MetricColumns; bad: MetricCounts } {
  const { n, z, q, w1, w2 } = f;
  const cols = Object.fromEntries(
    REG_METRICS.map((m) => [m, nullColumn(y.length)]),
  ) as MetricColumns;
  // Rows before `countFrom` (look-back) tally into a scratch record that is dropped.
  const bad = zeroCounts();
  const ignored = zeroCounts();
  const half = n >> 1;
  const zLast = z[n - 1]!;
  const qLast = q[n - 1]!;
  // |c2| ≤ ‖w2‖·‖u‖ and |ŷ(last) − m| ≤ (‖w1‖·|z(last)| + ‖w2‖·|q(last)| + 1/√n)·‖u‖
  // (Cauchy–Schwarz): the scales the results are "near zero" against.
  const w2Norm2 = sumOfSquares(w2);
  const predictionReach =
    Math.sqrt(sumOfSquares(w1)) * Math.abs(zLast) +
    Math.sqrt(w2Norm2) * Math.abs(qLast) +
    1 / Math.sqrt(n);
  // The bands, squared so that the hot loop takes no square root: c2² ≤ a2Band·Σu², and
  // (|ŷ| − NEAR_ZERO·|m|)² ≤ predictionBand·Σu².
  const a2Band = NEAR_ZERO * NEAR_ZERO * w2Norm2;
  const predictionBand = (NEAR_ZERO * predictionReach) ** 2;
  let exact: ExactQuadratic | undefined;
  for (let t = n - 1; t < y.length; t++) {
    const start = t - n + 1;
    if (windowHasNull(nulls, start, t)) continue;
    const y0 = y[start]!;
    if (windowIsConstant(runs, start, t)) {
      writeConstant(cols, t, y0);
      continue;
    }
    // Pass 1: the mean, via offsets from the first value (small, so nearly exact).
    let offsets = 0;
    for (let i = start + 1; i <= t; i++) offsets += y[i]! - y0;
    const m = y0 + offsets / n;
    // Pass 2: filters applied to u = y − m, pairing row i with row n−1−i. Pairing halves
    // the multiplications and uses the exact (anti)symmetry of w1 and w2: a line whose
    // u are exact (e.g. 7 − 0.5·i) gives a2 = 0 exactly, a mirror-symmetric window a1 = 0.
    let c1 = 0;
    let c2 = 0;
    let su = 0;
    let suu = 0;
    for (let i = 0; i < half; i++) {
      const u = y[start + i]! - m;
      const v = y[t - i]! - m;
      c1 += w1[i]! * (u - v);
      c2 += w2[i]! * (u + v);
      su += u + v;
      suu += u * u + v * v;
    }
    if ((n & 1) === 1) {
      const u = y[start + half]! - m;
      c2 += w2[half]! * u;
      su += u;
      suu += u * u;
    }
    // mean(u) is the rounding left in m; Σ(u − ū)² is SStot by the corrected two-pass rule.
    const mu = su / n;
    const ssTot = suu - (su * su) / n;
    // "a2 = 0" is exact (docs/spec/FEATURES.md): a c2 within rounding of zero is replaced by its
    // exact value, 0 when Σ Q·y = 0, so a2, the vertex and the residuals agree with it.
    const tiny = suu < TINY_SUM_OF_SQUARES;
    if (c2 * c2 <= a2Band * suu || tiny) {
      exact ??= exactQuadratic(n);
      c2 = exactDot(y, start, exact.a2Weights) * exact.a2Scale;
    }
    // ŷ(last) = c0 + c1·z + c2·q, with c0 = m + ū added last; "prediction = 0" is exact too.
    let pred = m + (mu + c1 * zLast + c2 * qLast);
    const beyondMean = Math.abs(pred) - NEAR_ZERO * Math.abs(m);
    if (beyondMean <= 0 || beyondMean * beyondMean <= predictionBand * suu || tiny) {
      exact ??= exactQuadratic(n);
      pred = exactDot(y, start, exact.predictionWeights) * exact.predictionScale;
    }
    // Pass 3: explicit residuals e = u − (ū + c1·z + c2·q).
    let se = 0;
    let see = 0;
    for (let i = 0; i < n; i++) {
      const e = y[start + i]! - m - (mu + c1 * z[i]! + c2 * q[i]!);
      se += e;
      see += e * e;
    }
    // b = c0 − c2.
    const b = m + (mu - c2);
    writeFit(cols, t, n, { c1, c2, b, pred }, { se, see, ssTot }, t >= countFrom ? bad : ignored);
  }
  return { cols, bad };
}

function sumOfSquares(a: Float64Array): number {
  let s = 0;
  for (const v of a) s += v * v;
  return s;
}

interface Coefficients {
  readonly c1: number;
  readonly c2: number;
  readonly b: number;
  readonly pred: number;
}

interface Sums {
  /** Σe */
  readonly se: number;
  /** Σe² = SSres */
  readonly see: number;
  /** Σ(y − ȳ)² */
  readonly ssTot: number;
}

/**
 * Writes row `t`'s 15 metrics of a fitted (non-constant) window; a metric that is defined
 * but not finite is made NULL and counted in `bad`.
 */
function writeFit(
  cols: MetricColumns,
  t: number,
  n: number,
  c: Coefficients,
  s: Sums,
  bad: MetricCounts,
): void {
  const { c1: a1, c2: a2, b, pred } = c;
  const residualVar = (s.see - (s.se * s.se) / n) / n;
  const residualStd = Math.sqrt(Math.max(residualVar, 0));
  // The window is not constant, so SStot > 0 and r2 is defined: a computed SStot that is
  // not positive (underflow) or not finite (overflow) is counted with the overflow.
  const r2 = s.ssTot > 0 ? 1 - s.see / s.ssTot : Number.NaN;
  const rmse = Math.sqrt(s.see / n);
  const residualMean = s.se / n;
  const lower = pred - Z95 * residualStd;
  const upper = pred + Z95 * residualStd;
  const curvature = Math.abs(a2);
  const fitQuality = Math.min(1, Math.max(0, r2));
  cols.a2[t] = a2;
  cols.a1[t] = a1;
  cols.b[t] = b;
  cols.r2[t] = r2;
  cols.rmse[t] = rmse;
  cols.residual_mean[t] = residualMean;
  cols.residual_std[t] = residualStd;
  cols.prediction[t] = pred;
  cols.pred_interval_lower[t] = lower;
  cols.pred_interval_upper[t] = upper;
  cols.curvature[t] = curvature;
  cols.fit_quality[t] = fitQuality;
  // The sum is finite only when every term is: one test a row instead of fifteen.
  let all = a2 + a1 + b + r2 + rmse + residualMean + residualStd + pred;
  all += lower + upper + curvature + fitQuality;
  // a2 and the prediction are exactly 0 when the window's values make them 0 (fitWindows).
  const vertex = a2 !== 0;
  if (vertex) {
    const vx = -a1 / (2 * a2);
    const vy = a2 * vx * vx + a1 * vx + b;
    cols.vertex_x[t] = vx;
    cols.vertex_y[t] = vy;
    all += vx + vy;
  }
  const extrapolation = pred !== 0;
  if (extrapolation) {
    const ee = residualStd / Math.abs(pred);
    cols.extrapolation_error[t] = ee;
    all += ee;
  }
  if (all - all !== 0) nullOverflowed(cols, t, bad, vertex, extrapolation);
}

/**
 * The slow path of a row holding a non-finite value (or finite ones whose sum overflowed):
 * each defined metric that is not finite becomes NULL and is counted. The vertex and
 * extrapolation_error are defined only where `vertex` / `extrapolation` say.
 */
function nullOverflowed(
  cols: MetricColumns,
  t: number,
  bad: MetricCounts,
  vertex: boolean,
  extrapolation: boolean,
): void {
  for (const m of REG_METRICS) {
    if (!vertex && (m === 'vertex_x' || m === 'vertex_y')) continue;
    if (!extrapolation && m === 'extrapolation_error') continue;
    const col = cols[m];
    const v = col[t]!;
    if (v - v === 0) continue;
    col[t] = Number.NaN;
    bad[m]++;
  }
}

/** Writes row `t` of a constant window (docs/spec/FEATURES.md): exact values, no rounding noise. */
function writeConstant(cols: MetricColumns, t: number, value: number): void {
  cols.a2[t] = 0;
  cols.a1[t] = 0;
  cols.b[t] = value;
  cols.rmse[t] = 0;
  cols.residual_mean[t] = 0;
  cols.residual_std[t] = 0;
  cols.prediction[t] = value;
  cols.pred_interval_lower[t] = value;
  cols.pred_interval_upper[t] = value;
  cols.curvature[t] = 0;
  // r2, fit_quality, vertex_x, vertex_y stay NULL; extrapolation_error is 0/|c|.
  if (value !== 0) cols.extrapolation_error[t] = 0;
}

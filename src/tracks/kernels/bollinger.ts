import { BOLLINGER_BQX_COLUMNS, BOLLINGER_WINDOWS } from '../../db/contract/columns.js';
import { inContractOrder } from './columnOrder.js';
import { nullColumn, nullPrefix, windowHasNull } from './nulls.js';
import { nullIfNotFinite, OverflowCounts, storeDefined } from './overflow.js';
import { rollingStatsInto, type WindowStats } from './windowStats.js';

/** Band half-width in standard deviations (docs/spec/FEATURES.md Track 1). */
const K = 2;
/** Windows whose width change is reported as `bb_slope_{n}`. */
const SLOPE_WINDOWS = [20, 60] as const;

/**
 * Track 1: Bollinger bands of `x` (docs/spec/FEATURES.md) for windows 20, 30, 60, 120 with k = 2.
 * Returns the 22 columns by name, iterating in `BOLLINGER_BQX_COLUMNS` order; NaN marks NULL.
 * `bb_percent_b_{n}` is NULL on a constant window (width exactly 0), and
 * `bb_slope_{n}` = width(t) − width(t−1) is NULL where either width is. Defined values
 * that overflow (are not finite) are written NULL and counted in `overflow`.
 */
export function computeBollinger(
  x: Float64Array,
  overflow: OverflowCounts = new OverflowCounts(),
): Map<string, Float64Array> {
  const rows = new BollingerRows(x, overflow);
  rows.computeUntil(x.length);
  return rows.columns;
}

/** One window's columns: its rolling statistics and the bands derived from them. */
interface WindowColumns {
  readonly n: number;
  readonly stats: WindowStats;
  readonly upper: Float64Array;
  readonly lower: Float64Array;
  readonly width: Float64Array;
  readonly percentB: Float64Array;
}

/**
 * {@link computeBollinger} a range of rows at a time, in order: every value of a row depends
 * only on the input's windows ending there (and a slope on the width just before it), so
 * the columns fill with exactly the values of one pass. Track 1 computes the next rows
 * while the earlier ones stream to the server (`PartitionWrite.fill`).
 */
export class BollingerRows {
  /** The 22 columns in `BOLLINGER_BQX_COLUMNS` order: NULL beyond the rows computed. */
  readonly columns: Map<string, Float64Array>;
  private readonly nulls: Int32Array;
  private readonly windows: WindowColumns[];
  private readonly slopes: Array<{ n: number; width: Float64Array; slope: Float64Array }>;
  private done = 0;

  constructor(
    private readonly x: Float64Array,
    private readonly overflow: OverflowCounts = new OverflowCounts(),
  ) {
    const len = x.length;
    this.nulls = nullPrefix(x);
    const cols = new Map<string, Float64Array>();
    this.windows = BOLLINGER_WINDOWS.map((n) => {
      const stats = {
        mean: nullColumn(len),
        std: nullColumn(len),
        min: nullColumn(len),
        max: nullColumn(len),
      };
      const w = {
        n,
        stats,
        upper: nullColumn(len),
        lower: nullColumn(len),
        width: nullColumn(len),
        percentB: nullColumn(len),
      };
      cols.set(`bb_upper_${n}`, w.upper);
      cols.set(`bb_middle_${n}`, stats.mean);
      cols.set(`bb_lower_${n}`, w.lower);
      cols.set(`bb_width_${n}`, w.width);
      cols.set(`bb_percent_b_${n}`, w.percentB);
      return w;
    });
    this.slopes = SLOPE_WINDOWS.map((n) => {
      const slope = nullColumn(len);
      cols.set(`bb_slope_${n}`, slope);
      return { n, width: cols.get(`bb_width_${n}`)!, slope };
    });
    this.columns = inContractOrder(cols, BOLLINGER_BQX_COLUMNS);
  }

  /** Rows computed so far (from the first). */
  get computed(): number {
    return this.done;
  }

  /** Computes the rows up to `end` (exclusive) not computed yet. */
  computeUntil(end: number): void {
    const from = this.done;
    const to = Math.min(end, this.x.length);
    if (to <= from) return;
    for (const w of this.windows) {
      rollingStatsInto(this.x, w.n, this.nulls, w.stats, from, to);
      this.bands(w, from, to);
    }
    for (const s of this.slopes) {
      let bad = 0;
      // Defined where both widths' windows are complete and free of NULL inputs.
      for (let t = Math.max(s.n, from); t < to; t++) {
        if (windowHasNull(this.nulls, t - s.n, t)) continue;
        bad +=
          (t >= this.overflow.fromRow ? 1 : 0) &
          storeDefined(s.slope, t, s.width[t]! - s.width[t - 1]!);
      }
      this.overflow.add(`bb_slope_${s.n}`, bad);
    }
    this.done = to;
  }

  /** Bands, width and %b of window `w` for rows `from … to − 1`; overflows counted. */
  private bands(w: WindowColumns, from: number, to: number): void {
    const { n, upper, lower, width, percentB } = w;
    const { mean, std, min, max } = w.stats;
    const x = this.x;
    const counted0 = this.overflow.fromRow;
    // Overflowed values per column: middle, upper, lower, width, percent_b.
    let [bm, bu, bl, bw, bp] = [0, 0, 0, 0, 0];
    for (let t = Math.max(n - 1, from); t < to; t++) {
      if (windowHasNull(this.nulls, t - n + 1, t)) continue;
      const m = mean[t]!;
      const s = std[t]!;
      const up = m + K * s;
      const lo = m - K * s;
      // upper − lower is 2k·s exactly; computing it from the bands would cancel m's digits.
      const wd = 2 * K * s;
      upper[t] = up;
      lower[t] = lo;
      width[t] = wd;
      // The sum is finite only when every term is: one test a row, the counting off it.
      let all = m + up + lo + wd;
      // (x − lower) / width rewritten around the mean, where x − m is exact. Width is 0
      // exactly on a constant window (min = max), where percent_b is NULL by rule.
      const varies = min[t] !== max[t];
      if (varies) {
        const pb = 0.5 + (x[t]! - m) / wd;
        percentB[t] = pb;
        all += pb;
      }
      if (all - all === 0) continue;
      // rollingStats already wrote a non-finite mean as NULL; here it is counted.
      const counted = t >= counted0 ? 1 : 0;
      bm += counted & (m - m === 0 ? 0 : 1);
      bu += counted & nullIfNotFinite(upper, t);
      bl += counted & nullIfNotFinite(lower, t);
      bw += counted & nullIfNotFinite(width, t);
      if (varies) bp += counted & nullIfNotFinite(percentB, t);
    }
    this.overflow.add(`bb_middle_${n}`, bm);
    this.overflow.add(`bb_upper_${n}`, bu);
    this.overflow.add(`bb_lower_${n}`, bl);
    this.overflow.add(`bb_width_${n}`, bw);
    this.overflow.add(`bb_percent_b_${n}`, bp);
  }
}

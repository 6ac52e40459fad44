/** A unit's input in time order: the month's rows preceded by `lookback` earlier rows. */
export interface UnitSeries {
  /** Epoch microseconds (UTC instants). */
  readonly times: Float64Array;
  /** Input columns; NaN marks SQL NULL (and a database NaN/±Infinity, treated as NULL). */
  readonly values: readonly Float64Array[];
  /** Number of look-back rows at the start (docs/spec/FEATURES.md "continuity across partitions"). */
  readonly lookback: number;
}

/** Converts a float8 / numeric / NULL value from node-postgres to a number (NULL → NaN). */
export function toNumber(v: unknown): number {
  if (v === null || v === undefined) return Number.NaN;
  const n = typeof v === 'number' ? v : Number(v);
  return Number.isFinite(n) ? n : Number.NaN;
}

/**
 * Builds a series from rows `[epochMicros, v1, v2, …]` already in time order, the first
 * `lookback` of which are look-back rows.
 */
export function seriesFromRows(
  rows: readonly unknown[][],
  width: number,
  lookback: number,
): UnitSeries {
  const n = rows.length;
  const times = new Float64Array(n);
  const values = Array.from({ length: width }, () => new Float64Array(n));
  for (let i = 0; i < n; i++) {
    const row = rows[i]!;
    times[i] = Number(row[0]);
    for (let c = 0; c < width; c++) values[c]![i] = toNumber(row[c + 1]);
  }
  return { times, values, lookback };
}

/** The month part of a computed column (drops the look-back rows). */
export function monthPart(col: Float64Array, lookback: number): Float64Array {
  return col.subarray(lookback);
}

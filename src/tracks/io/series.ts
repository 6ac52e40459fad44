/** A unit's input in time order: the month's rows preceded by `lookback` earlier rows. */
export interface UnitSeries {
  /** Epoch microseconds (UTC instants). */
  readonly times: Float64Array;
  /** Input columns; NaN marks SQL NULL (and a database NaN/±Infinity, treated as NULL). */
  readonly values: readonly Float64Array[];
  /** Number of look-back rows at the start (docs/spec/FEATURES.md "continuity across partitions"). */
  readonly lookback: number;
}

/** The month part of a computed column (drops the look-back rows). */
export function monthPart(col: Float64Array, lookback: number): Float64Array {
  return col.subarray(lookback);
}

/** Replaces NaN / ±Infinity by NaN in place (a non-finite input is read as NULL); returns it. */
export function finiteOrNaN(c: Float64Array): Float64Array {
  for (let i = 0; i < c.length; i++) if (!Number.isFinite(c[i]!)) c[i] = Number.NaN;
  return c;
}

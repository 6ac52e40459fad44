/**
 * Values docs/spec/FEATURES.md defines — the window is complete and free of NULL inputs, and no NULL
 * rule of the column applies — that the double arithmetic could not hold: ±Infinity or
 * NaN computed from finite inputs (e.g. inputs near 1e300, whose squares overflow). They
 * are written as NULL like every non-finite value, so the kernels count them per column
 * instead of letting them pass silently. NaN or infinite *inputs* are NULL inputs, not
 * overflow.
 */
export class OverflowCounts {
  private readonly counts = new Map<string, number>();

  /**
   * @param fromRow the first row counted: a unit's month starts after its look-back rows,
   *   which belong to the month before
   */
  constructor(readonly fromRow = 0) {}

  /** Adds `count` overflowed values of `column`. */
  add(column: string, count: number): void {
    if (count > 0) this.counts.set(column, (this.counts.get(column) ?? 0) + count);
  }

  /** Overflowed values over all columns. */
  get total(): number {
    let sum = 0;
    for (const c of this.counts.values()) sum += c;
    return sum;
  }

  /** Column → count for the columns that overflowed, in the order they were computed. */
  toRecord(): Record<string, number> {
    return Object.fromEntries(this.counts);
  }
}

/**
 * Stores a defined value in `col[t]` when it is finite; otherwise leaves the row NULL
 * (NaN) and returns 1, for the caller's overflow tally.
 */
export function storeDefined(col: Float64Array, t: number, v: number): number {
  if (v - v === 0) {
    col[t] = v;
    return 0;
  }
  col[t] = Number.NaN;
  return 1;
}

/** Makes `col[t]` NULL (NaN) when it is not finite; returns 1 if it did, for a tally. */
export function nullIfNotFinite(col: Float64Array, t: number): number {
  const v = col[t]!;
  if (v - v === 0) return 0;
  col[t] = Number.NaN;
  return 1;
}

/** Rows sorted by time: epoch microseconds and value columns of the same length. */
export interface TimedRows {
  readonly times: Float64Array;
  readonly columns: readonly Float64Array[];
}

/** True when `times` never decreases (the order asked of the server, which it gives). */
function isSorted(times: Float64Array): boolean {
  for (let i = 1; i < times.length; i++) if (times[i]! < times[i - 1]!) return false;
  return true;
}

/** Rows in the order of `order` (indices into them). */
function reorder(rows: TimedRows, order: ArrayLike<number>): TimedRows {
  const pick = (c: Float64Array) => Float64Array.from(order, (i) => c[i]!);
  return { times: pick(rows.times), columns: rows.columns.map(pick) };
}

/**
 * Rows in time order whatever order they came in (sorted by time, then by `tiebreak`,
 * which is left out of the result).
 */
export function sortByTime(rows: TimedRows, tiebreak?: Float64Array): TimedRows {
  if (isSorted(rows.times)) return rows;
  const t = rows.times;
  const order = Array.from(t, (_, i) => i).sort(
    (a, b) => t[a]! - t[b]! || (tiebreak ? tiebreak[a]! - tiebreak[b]! : a - b),
  );
  return reorder(rows, order);
}

/**
 * One row per time: of the rows sharing a time (sorted by time), the one whose `key` is
 * smallest. With the rows' physical positions as key, this is "a duplicated minute keeps
 * its first row in physical order". Returns the rows and how many were dropped.
 */
export function firstPerTime(
  rows: TimedRows,
  key: Float64Array,
): {
  rows: TimedRows;
  dropped: number;
} {
  const t = rows.times;
  const keep: number[] = [];
  for (let i = 0; i < t.length; i++) {
    const last = keep.length - 1;
    if (last >= 0 && t[keep[last]!] === t[i]) {
      if (key[i]! < key[keep[last]!]!) keep[last] = i;
    } else keep.push(i);
  }
  const dropped = t.length - keep.length;
  return { rows: dropped === 0 ? rows : reorder(rows, keep), dropped };
}

/**
 * The inner join of two row sets on equal times, as SQL's `JOIN … ON a.t = b.t ORDER BY
 * a.t` gives it: both inputs sorted by time; a left time matching several right rows
 * gives one row each, in the right side's order. Output columns: the left's, then the
 * right's. A linear merge: the server need not hash or sort the two sides to join them.
 */
export function joinOnTime(left: TimedRows, right: TimedRows): TimedRows {
  const lt = left.times;
  const rt = right.times;
  const pairs: number[] = [];
  let j = 0;
  for (let i = 0; i < lt.length; i++) {
    const t = lt[i]!;
    while (j < rt.length && rt[j]! < t) j++;
    for (let k = j; k < rt.length && rt[k] === t; k++) pairs.push(i, k);
  }
  const n = pairs.length / 2;
  const times = new Float64Array(n);
  const columns = [...left.columns, ...right.columns].map(() => new Float64Array(n));
  const nl = left.columns.length;
  for (let p = 0; p < n; p++) {
    const i = pairs[2 * p]!;
    const k = pairs[2 * p + 1]!;
    times[p] = lt[i]!;
    for (let c = 0; c < nl; c++) columns[c]![p] = left.columns[c]![i]!;
    for (let c = 0; c < right.columns.length; c++) columns[nl + c]![p] = right.columns[c]![k]!;
  }
  return { times, columns };
}

/** `xs[i]`, or +∞ past the end: an exhausted side sorts after every time of the other. */
const timeAt = (xs: Float64Array, i: number) => (i < xs.length ? xs[i]! : Number.POSITIVE_INFINITY);

/** The index past the run of rows from `i` whose time is `t`. */
function pastTime(xs: Float64Array, i: number, t: number): number {
  let k = i;
  while (k < xs.length && xs[k] === t) k++;
  return k;
}

/**
 * Rows of each side whose time the other side lacks (both sorted by time): `left` are
 * rows of `left` the inner join leaves out, `right` rows of `right` it never uses.
 */
export function unmatchedTimes(
  left: Float64Array,
  right: Float64Array,
): { left: number; right: number } {
  let i = 0;
  let j = 0;
  let onlyLeft = 0;
  let onlyRight = 0;
  while (i < left.length || j < right.length) {
    const l = timeAt(left, i);
    const r = timeAt(right, j);
    if (l === r) {
      // Every row of this time on either side is matched.
      i = pastTime(left, i, l);
      j = pastTime(right, j, r);
    } else if (l < r) {
      onlyLeft++;
      i++;
    } else {
      onlyRight++;
      j++;
    }
  }
  return { left: onlyLeft, right: onlyRight };
}

import { formatMonth, type Month, monthStartLiteral, nextMonth } from '../../config/months.js';
import { ident } from '../../db/sql/ident.js';

/** Whether a time column is naive (`timestamp`) or aware (`timestamptz`), from the catalog. */
export type TimeKind = 'naive' | 'aware';

/** Maps a catalog type name to its time kind, or undefined for a non-timestamp type. */
export function timeKindOf(catalogType: string): TimeKind | undefined {
  if (catalogType.startsWith('timestamp with time zone')) return 'aware';
  if (catalogType.startsWith('timestamp without time zone')) return 'naive';
  return undefined;
}

/**
 * SQL for a time column as a UTC instant (timestamptz), independent of the session's
 * time zone: a naive column is a UTC wall clock (docs/spec/SCHEMA.md), so read it AT TIME ZONE 'UTC'.
 */
export function instantSql(column: string, kind: TimeKind, alias?: string): string {
  const col = alias ? `${ident(alias)}.${ident(column)}` : ident(column);
  return kind === 'naive' ? `(${col} AT TIME ZONE 'UTC')` : col;
}

/** SQL for epoch microseconds of a naive or aware time column (exact, as int8). */
export function epochMicrosSql(column: string, alias?: string): string {
  const col = alias ? `${ident(alias)}.${ident(column)}` : ident(column);
  // extract(epoch) of a naive timestamp is its nominal UTC epoch; of an aware one, the instant's.
  return `(extract(epoch FROM ${col}) * 1000000)::int8`;
}

/** The parameter cast matching the column's kind, so comparisons never depend on TimeZone. */
export function paramCast(kind: TimeKind): string {
  return kind === 'naive' ? '::timestamp' : '::timestamptz';
}

/** Bound literals of a month for a column of that kind: [start, end). */
export function monthBounds(m: Month, kind: TimeKind): [string, string] {
  const lit = (x: Month) =>
    kind === 'naive' ? `${formatMonth(x)}-01 00:00:00` : monthStartLiteral(x);
  return [lit(m), lit(nextMonth(m))];
}

import { ident, qualified } from '../sql/ident.js';

/**
 * A set of source rows a unit reads, as its digests see it: a table, its time column (and
 * whether it is naive `timestamp` or aware `timestamptz`) and the value columns the track
 * uses. `name` is stable across runs (`bqx_eurusd(w15_bqx_return)`): the key of its digests.
 */
export interface DigestSource {
  readonly schema: string;
  readonly table: string;
  readonly time: string;
  readonly kind: 'naive' | 'aware';
  /** Value columns as they are hashed: float8 through `::float8` (its exact text form). */
  readonly columns: ReadonlyArray<{ readonly name: string; readonly float: boolean }>;
  readonly name: string;
}

/** A digest of a set of rows: how many, and the XOR of their rows' 64-bit hashes. */
export interface Digest {
  readonly rows: number;
  /** A signed 64-bit integer as text (JSON cannot hold it as a number). */
  readonly hash: string;
}

/** The empty set's digest. */
export const EMPTY_DIGEST: Digest = { rows: 0, hash: '0' };

/**
 * One row as text, from its typed values: the time as epoch microseconds (independent of
 * the session's TimeZone), each float8 in its text form (exact round trip since
 * PostgreSQL 12), NULL spelled `\N` (concat_ws would drop it and merge two rows' texts).
 */
export function rowTextSql(src: DigestSource): string {
  const t = `(extract(epoch FROM ${ident(src.time)}) * 1000000)::int8::text`;
  const cols = src.columns.map(
    (c) => `coalesce(${ident(c.name)}${c.float ? '::float8' : ''}::text, '\\N')`,
  );
  return `concat_ws('|', ${[t, ...cols].join(', ')})`;
}

/**
 * The aggregate of a digest over rows selected as `r`: count and XOR of hashes. XOR does
 * not depend on the order rows are read in; keys are unique, so no two rows cancel out.
 */
const AGG = `count(*)::int8 AS rows, coalesce(bit_xor(h), 0)::text AS hash`;

/** The month (`YYYY-MM`, UTC) of the time column. */
function monthSql(src: DigestSource): string {
  const t = ident(src.time);
  return src.kind === 'aware'
    ? `to_char(${t} AT TIME ZONE 'UTC', 'YYYY-MM')`
    : `to_char(${t}, 'YYYY-MM')`;
}

/** The parameter cast matching the time column's kind. */
function cast(src: DigestSource): string {
  return src.kind === 'naive' ? '::timestamp' : '::timestamptz';
}

/**
 * Every month's digest of the source, in one read of the table: rows `{month, rows, hash}`.
 * NULL and infinite times belong to no month (no unit reads them as a month's rows).
 */
export function monthDigestsSql(src: DigestSource): string {
  const table = qualified(src.schema, src.table);
  return `SELECT month, ${AGG} FROM (
            SELECT ${monthSql(src)} AS month, hashtextextended(${rowTextSql(src)}, 0) AS h
              FROM ${table} WHERE isfinite(${ident(src.time)})) r
          GROUP BY month`;
}

/** One month's digest: parameters $1, $2 = the month's bounds [start, end) in the column's kind. */
export function monthDigestSql(src: DigestSource): string {
  const t = ident(src.time);
  return `SELECT ${AGG} FROM (SELECT hashtextextended(${rowTextSql(src)}, 0) AS h
            FROM ${qualified(src.schema, src.table)}
           WHERE ${t} >= $1${cast(src)} AND ${t} < $2${cast(src)}) r`;
}

/**
 * The digest of the last `n` rows before a month ($1 = its start): a unit's look-back rows.
 * Through the time index when there is one (the sources' keys).
 */
export function lookbackDigestSql(src: DigestSource, n: number): string {
  const t = ident(src.time);
  return `SELECT ${AGG} FROM (SELECT hashtextextended(${rowTextSql(src)}, 0) AS h
            FROM ${qualified(src.schema, src.table)}
           WHERE ${t} < $1${cast(src)} AND ${t} > '-infinity'
           ORDER BY ${t} DESC LIMIT ${Math.trunc(n)}) r`;
}

/** A digest from a row of one of the queries above. */
export function digestOf(row: { rows: string | number; hash: string } | undefined): Digest {
  return row ? { rows: Number(row.rows), hash: String(row.hash) } : EMPTY_DIGEST;
}

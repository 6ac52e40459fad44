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
 * The way digests are computed; recorded in every fingerprint (`digest`) and in every kept
 * change mark, so that digests of two schemes are never compared. 1: a hash of each row's
 * text; 2: `hash_record_extended` of its typed values (docs/freshness.md, "Digests").
 */
export const DIGEST_SCHEME = 2;

/**
 * One row's 64-bit hash, from its typed values: the time (the same instant hashes the same
 * whatever the session's TimeZone: its stored value), then each value column, float8
 * through `::float8`. Hashed in binary by each type's own hash function: three to five
 * times cheaper than the text form scheme 1 hashed. NULL differs from every value; -0 and
 * 0 hash alike (float8's equality), as do all NaNs.
 */
export function rowHashSql(src: DigestSource): string {
  const cols = src.columns.map((c) => `${ident(c.name)}${c.float ? '::float8' : ''}`);
  return `hash_record_extended(ROW(${[ident(src.time), ...cols].join(', ')}), 0)`;
}

/**
 * The aggregate of a digest over rows selected as `r`: count and XOR of hashes. XOR does
 * not depend on the order rows are read in; keys are unique, so no two rows cancel out.
 */
const AGG = `count(*)::int8 AS rows, coalesce(bit_xor(h), 0)::text AS hash`;

/** The start of the month (UTC) of the time column: grouped by, then named once per month. */
function monthSql(src: DigestSource): string {
  const t = ident(src.time);
  return src.kind === 'aware' ? `date_trunc('month', ${t}, 'UTC')` : `date_trunc('month', ${t})`;
}

/** `YYYY-MM` of a month start from `monthSql`. */
function monthNameSql(src: DigestSource, m: string): string {
  return src.kind === 'aware'
    ? `to_char(${m} AT TIME ZONE 'UTC', 'YYYY-MM')`
    : `to_char(${m}, 'YYYY-MM')`;
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
  return `SELECT ${monthNameSql(src, 'm')} AS month, ${AGG} FROM (
            SELECT ${monthSql(src)} AS m, ${rowHashSql(src)} AS h
              FROM ${table} WHERE isfinite(${ident(src.time)})) r
          GROUP BY m`;
}

/** One month's digest: parameters $1, $2 = the month's bounds [start, end) in the column's kind. */
export function monthDigestSql(src: DigestSource): string {
  const t = ident(src.time);
  return `SELECT ${AGG} FROM (SELECT ${rowHashSql(src)} AS h
            FROM ${qualified(src.schema, src.table)}
           WHERE ${t} >= $1${cast(src)} AND ${t} < $2${cast(src)}) r`;
}

/**
 * The digest of the last `n` rows before a month ($1 = its start): a unit's look-back rows.
 * Through the time index when there is one (the sources' keys).
 */
export function lookbackDigestSql(src: DigestSource, n: number): string {
  const t = ident(src.time);
  return `SELECT ${AGG} FROM (SELECT ${rowHashSql(src)} AS h
            FROM ${qualified(src.schema, src.table)}
           WHERE ${t} < $1${cast(src)} AND ${t} > '-infinity'
           ORDER BY ${t} DESC LIMIT ${Math.trunc(n)}) r`;
}

/** A digest from a row of one of the queries above. */
export function digestOf(row: { rows: string | number; hash: string } | undefined): Digest {
  return row ? { rows: Number(row.rows), hash: String(row.hash) } : EMPTY_DIGEST;
}

import type pg from 'pg';
import type { Settings } from '../../config/load.js';
import type { Month } from '../../config/months.js';
import { ident, qualified } from '../../db/sql/ident.js';
import { seriesFromRows, type UnitSeries } from '../io/series.js';
import { type SourceTable, sourceTable } from '../io/sourceTime.js';
import { epochMicrosSql, instantSql, monthBounds, paramCast } from '../io/timeColumn.js';

/** Rows of look-back Track 2 needs: the largest window (agg = 90) − 1. */
export const REGRESSION_LOOKBACK = 89;

/** Track 2's joined input plus the data-quality counts it reports as warnings. */
export interface RegressionInput {
  /** values[0] = rate_index (domain idx), values[1] = w15_bqx_return (domain bqx). */
  readonly series: UnitSeries;
  /** m1 rows of the pair with a NULL or ±infinity time (never joinable; dropped). */
  readonly badTimestamps: number;
  /** Extra rows for an already-seen minute in the month (the first row is kept). */
  readonly duplicateMinutes: number;
}

/**
 * The m1 ⋈ bqx join on equal UTC instants: m1's naive `time` read AT TIME ZONE 'UTC',
 * duplicates of a minute reduced to their first row (physical order, m1 has no key).
 */
function joinSql(
  schema: string,
  m1: SourceTable,
  bqx: SourceTable,
  where: string,
  order: string,
  limit = '',
) {
  const mt = ident(m1.time);
  return `SELECT ${epochMicrosSql('t', 'm')}, m.ri, b.${ident(bqx.column('w15_bqx_return'))}
    FROM (SELECT DISTINCT ON (${mt}) ${instantSql(m1.time, m1.kind)} AS t, ${ident(m1.column('rate_index'))} AS ri, ${mt} AS k
            FROM ${qualified(schema, m1.table)} WHERE ${where} ORDER BY ${mt} ${order}, ctid) m
    JOIN ${qualified(schema, bqx.table)} b ON ${instantSql(bqx.time, bqx.kind, 'b')} = m.t
    ORDER BY m.k ${order} ${limit}`;
}

/** Reads the month's joined rows and the 89 joined rows before it. */
export async function loadRegressionInput(
  client: pg.ClientBase,
  settings: Settings,
  pair: string,
  month: Month,
): Promise<RegressionInput> {
  const m1 = await sourceTable(client, settings, 'm1', pair);
  const bqx = await sourceTable(client, settings, 'bqx', pair);
  const mt = ident(m1.time);
  const cast = paramCast(m1.kind);
  const [start, end] = monthBounds(month, m1.kind);
  const current = await client.query({
    text: joinSql(settings.schema, m1, bqx, `${mt} >= $1${cast} AND ${mt} < $2${cast}`, 'ASC'),
    values: [start, end],
    rowMode: 'array',
  });
  // Look back far enough for 89 joined rows; widen when minutes of m1 lack a bqx row.
  let back: unknown[][] = [];
  for (let limit = 2 * REGRESSION_LOOKBACK; ; limit *= 4) {
    const r = await client.query({
      text: `SELECT min(k)::text, count(*)::int FROM (SELECT DISTINCT ON (${mt}) ${mt} AS k
               FROM ${qualified(settings.schema, m1.table)} WHERE ${mt} < $1${cast}
              ORDER BY ${mt} DESC LIMIT ${limit}) c`,
      values: [start],
      rowMode: 'array',
    });
    const [earliest, found] = r.rows[0] as [string | null, number];
    if (earliest === null) break;
    const joined = await client.query({
      text: joinSql(
        settings.schema,
        m1,
        bqx,
        `${mt} >= $2${cast} AND ${mt} < $1${cast}`,
        'DESC',
        `LIMIT ${REGRESSION_LOOKBACK}`,
      ),
      values: [start, earliest],
      rowMode: 'array',
    });
    back = joined.rows;
    if (back.length >= REGRESSION_LOOKBACK || found < limit) break;
  }
  const counts = await client.query({
    text: `SELECT count(*) FILTER (WHERE ${mt} IS NULL OR ${mt} IN ('infinity', '-infinity'))::int,
                  (SELECT count(*) - count(DISTINCT ${mt}) FROM ${qualified(settings.schema, m1.table)}
                    WHERE ${mt} >= $1${cast} AND ${mt} < $2${cast})::int
             FROM ${qualified(settings.schema, m1.table)}
            WHERE ${mt} IS NULL OR ${mt} IN ('infinity', '-infinity')`,
    values: [start, end],
    rowMode: 'array',
  });
  const row = counts.rows[0] ?? [0, 0];
  return {
    series: seriesFromRows([...back.reverse(), ...current.rows], 2, back.length),
    badTimestamps: Number(row[0]),
    duplicateMinutes: Number(row[1]),
  };
}

/** Rows a month of Track 2 writes: the month's minutes of m1 that join a bqx row. */
export async function regressionSourceCount(
  client: pg.ClientBase,
  settings: Settings,
  pair: string,
  month: Month,
): Promise<number> {
  const m1 = await sourceTable(client, settings, 'm1', pair);
  const bqx = await sourceTable(client, settings, 'bqx', pair);
  const mt = ident(m1.time);
  const cast = paramCast(m1.kind);
  const r = await client.query({
    text: `SELECT count(*)::int FROM (${joinSql(settings.schema, m1, bqx, `${mt} >= $1${cast} AND ${mt} < $2${cast}`, 'ASC')}) j`,
    values: monthBounds(month, m1.kind),
    rowMode: 'array',
  });
  return Number(r.rows[0]?.[0] ?? 0);
}

import { setCopyRange } from '../io/copyRange.js';
import type pg from 'pg';
import type { Settings } from '../../config/load.js';
import type { Month } from '../../config/months.js';
import { copyOutArrays } from '../../db/copy/copyOutArrays.js';
import { ident, qualified } from '../../db/sql/ident.js';
import { inSnapshot } from '../io/readInSnapshot.js';
import { finiteOrNaN, type UnitSeries } from '../io/series.js';
import { type SourceTable, sourceTable } from '../io/sourceTime.js';
import {
  firstPerTime,
  joinOnTime,
  sortByTime,
  type TimedRows,
  unmatchedTimes,
} from '../io/timeJoin.js';
import { instantSql, monthBounds, paramCast, type TimeKind } from '../io/timeColumn.js';

/** Rows of look-back Track 2 needs: the largest window (agg = 90) − 1. */
export const REGRESSION_LOOKBACK = 89;

/**
 * Memory for the load's sorts (without an index on m1's time, the server sorts a month's
 * rows, ~1.5 MB): a session's default can be as low as 64 kB, and a sort that does not
 * fit spills to temporary files.
 */
const LOAD_WORK_MEM = '64MB';

/** Track 2's joined input plus the data-quality counts it reports as warnings. */
export interface RegressionInput {
  /** values[0] = rate_index (domain idx), values[1] = w15_bqx_return (domain bqx). */
  readonly series: UnitSeries;
  /** m1 rows of the pair with a NULL or ±infinity time (never joinable; dropped). */
  readonly badTimestamps: number;
  /** Extra rows for an already-seen minute in the month (the first row is kept). */
  readonly duplicateMinutes: number;
  /** Minutes of the month in m1 (after duplicates) with no bqx row: no output row. */
  readonly m1WithoutBqx: number;
  /** bqx rows of the month with no m1 minute: never read by the track. */
  readonly bqxWithoutM1: number;
}

/** An expression typed as one time kind, as the same instant in the other kind's type. */
function asKind(expr: string, from: TimeKind, to: TimeKind): string {
  return from === to ? expr : `(${expr} AT TIME ZONE 'UTC')`;
}

/**
 * The two sides of the m1 ⋈ bqx join over m1's time range [lower, upper) (expressions of
 * m1's time type), each as one row of arrays: m1's rows — instant (its naive `time` read AT
 * TIME ZONE 'UTC'), rate_index and, when asked, physical position — and bqx's rows in the
 * same range of instants (the join implies it: the server reads one month's partition).
 * Order, duplicates and the join itself are resolved here (`sortByTime`, `firstPerTime`,
 * `joinOnTime`): in SQL the server sorted m1 by (time, ctid) and hashed or sorted both
 * sides — at its default work_mem it hashed the whole year of bqx into temporary files.
 */
function sidesSql(
  schema: string,
  m1: SourceTable,
  bqx: SourceTable,
  range: { lower: string; upper: string },
  positions: boolean,
): { m1: string; bqx: string } {
  const mt = ident(m1.time);
  const bt = ident(bqx.time);
  // One aggregate pass over the rows, so the arrays stay aligned row by row.
  return {
    m1: `SELECT array_agg(t), array_agg(v)${positions ? ', array_agg(ctid)' : ''} FROM (
           SELECT ${instantSql(m1.time, m1.kind)} AS t, ${ident(m1.column('rate_index'))}::float8 AS v${positions ? ', ctid' : ''}
             FROM ${qualified(schema, m1.table)}
            WHERE ${mt} >= ${range.lower} AND ${mt} < ${range.upper}) s`,
    bqx: `SELECT array_agg(t), array_agg(v) FROM (
            SELECT ${instantSql(bqx.time, bqx.kind)} AS t, ${ident(bqx.column('w15_bqx_return'))}::float8 AS v
              FROM ${qualified(schema, bqx.table)}
             WHERE ${bt} >= ${asKind(range.lower, m1.kind, bqx.kind)} AND ${bt} < ${asKind(range.upper, m1.kind, bqx.kind)}) s`,
  };
}

/** The tables of a load. */
interface LoadSources {
  readonly m1: SourceTable;
  readonly bqx: SourceTable;
}

/** True when sorted times repeat one. */
function hasRepeats(times: Float64Array): boolean {
  for (let i = 1; i < times.length; i++) if (times[i] === times[i - 1]) return true;
  return false;
}

/**
 * The joined rows of m1's time range [lower, upper) (values of m1's time type), in time
 * order, and how many m1 rows of the range repeat an earlier row's minute. m1's physical
 * positions are read only when a minute repeats (rarely: they cost a quarter of the read).
 */
async function joinedRange(
  client: pg.ClientBase,
  schema: string,
  src: LoadSources,
  lower: string,
  upper: string,
): Promise<{ joined: TimedRows; duplicates: number; unmatched: { m1: number; bqx: number } }> {
  const range = await setCopyRange(client, src.m1.kind, lower, upper);
  const sql = sidesSql(schema, src.m1, src.bqx, range, false);
  const [mt, mv] = await copyOutArrays(client, sql.m1, ['timestamp', 'float8']);
  let m1 = sortByTime({ times: mt!, columns: [finiteOrNaN(mv!)] });
  let duplicates = 0;
  if (hasRepeats(m1.times)) {
    const withPositions = sidesSql(schema, src.m1, src.bqx, range, true).m1;
    const [t, v, p] = await copyOutArrays(client, withPositions, ['timestamp', 'float8', 'tid']);
    const sorted = sortByTime({ times: t!, columns: [finiteOrNaN(v!), p!] }, p!);
    const first = firstPerTime(
      { times: sorted.times, columns: [sorted.columns[0]!] },
      sorted.columns[1]!,
    );
    m1 = first.rows;
    duplicates = first.dropped;
  }
  const [bt, bv] = await copyOutArrays(client, sql.bqx, ['timestamp', 'float8']);
  const bqx = sortByTime({ times: bt!, columns: [finiteOrNaN(bv!)] });
  const unmatched = unmatchedTimes(m1.times, bqx.times);
  return {
    joined: joinOnTime(m1, bqx),
    duplicates,
    unmatched: { m1: unmatched.left, bqx: unmatched.right },
  };
}

/** The last `n` rows of sorted rows. */
function lastRows(r: TimedRows, n: number): TimedRows {
  const from = Math.max(0, r.times.length - n);
  return { times: r.times.subarray(from), columns: r.columns.map((c) => c.subarray(from)) };
}

/** Look-back rows then the month's rows, as one series. */
function toSeries(back: TimedRows, current: TimedRows): UnitSeries {
  const lookback = back.times.length;
  const concat = (a: Float64Array, b: Float64Array) => {
    const out = new Float64Array(a.length + b.length);
    out.set(a);
    out.set(b, a.length);
    return out;
  };
  return {
    times: concat(back.times, current.times),
    values: [0, 1].map((c) => concat(back.columns[c]!, current.columns[c]!)),
    lookback,
  };
}

/**
 * Reads the month's joined rows and the 89 joined rows before it, with the counts of bad
 * and duplicated m1 times, in one read-only snapshot (every query sees the same rows).
 * Runs its own transaction: call it outside one.
 */
export function loadRegressionInput(
  client: pg.ClientBase,
  settings: Settings,
  pair: string,
  month: Month,
): Promise<RegressionInput> {
  return inSnapshot(client, (c) => readRegressionInput(c, settings, pair, month));
}

/**
 * `loadRegressionInput` inside a snapshot its caller opened (`inSnapshot`): the load's
 * settings are its transaction's (`SET LOCAL`), so it must run inside one.
 */
export async function readRegressionInput(
  client: pg.ClientBase,
  settings: Settings,
  pair: string,
  month: Month,
): Promise<RegressionInput> {
  await client.query(`SET LOCAL work_mem = '${LOAD_WORK_MEM}'`);
  return readInput(client, settings, pair, month);
}

async function readInput(
  client: pg.ClientBase,
  settings: Settings,
  pair: string,
  month: Month,
): Promise<RegressionInput> {
  const src: LoadSources = {
    m1: await sourceTable(client, settings, 'm1', pair),
    bqx: await sourceTable(client, settings, 'bqx', pair),
  };
  const mt = ident(src.m1.time);
  const cast = paramCast(src.m1.kind);
  const m1Table = qualified(settings.schema, src.m1.table);
  const [start, end] = monthBounds(month, src.m1.kind);
  const current = await joinedRange(client, settings.schema, src, start, end);
  // Look back far enough for 89 joined rows; widen when minutes of m1 lack a bqx row.
  let back: TimedRows = {
    times: new Float64Array(0),
    columns: [0, 1].map(() => new Float64Array(0)),
  };
  for (let limit = 2 * REGRESSION_LOOKBACK; ; limit *= 4) {
    const r = await client.query({
      text: `SELECT min(k)::text, count(*)::int FROM (SELECT DISTINCT ON (${mt}) ${mt} AS k
               FROM ${m1Table} WHERE ${mt} < $1${cast}
              ORDER BY ${mt} DESC LIMIT ${limit}) c`,
      values: [start],
      rowMode: 'array',
    });
    const [earliest, found] = r.rows[0] as [string | null, number];
    if (earliest === null) break;
    const range = await joinedRange(client, settings.schema, src, earliest, start);
    back = lastRows(range.joined, REGRESSION_LOOKBACK);
    if (back.times.length >= REGRESSION_LOOKBACK || found < limit) break;
  }
  // NULL and ±infinity through the time index when there is one (IS NULL and = are
  // index conditions; a test of finiteness would read the whole table).
  const bad = await client.query({
    text: `SELECT count(*)::int FROM ${m1Table}
            WHERE ${mt} IS NULL OR ${mt} = 'infinity' OR ${mt} = '-infinity'`,
    rowMode: 'array',
  });
  return {
    series: toSeries(back, current.joined),
    badTimestamps: Number(bad.rows[0]?.[0] ?? 0),
    duplicateMinutes: current.duplicates,
    m1WithoutBqx: current.unmatched.m1,
    bqxWithoutM1: current.unmatched.bqx,
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
    text: `SELECT count(*)::int FROM (SELECT DISTINCT ON (${mt}) ${instantSql(m1.time, m1.kind)} AS t
               FROM ${qualified(settings.schema, m1.table)}
              WHERE ${mt} >= $1${cast} AND ${mt} < $2${cast} ORDER BY ${mt}, ctid) m
             JOIN ${qualified(settings.schema, bqx.table)} b ON ${instantSql(bqx.time, bqx.kind, 'b')} = m.t`,
    values: monthBounds(month, m1.kind),
    rowMode: 'array',
  });
  return Number(r.rows[0]?.[0] ?? 0);
}

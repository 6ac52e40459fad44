import type pg from 'pg';
import type { Settings } from '../../config/load.js';
import type { Month } from '../../config/months.js';
import { ident, qualified } from '../../db/sql/ident.js';
import { copyOutArrays } from '../../db/copy/copyOutArrays.js';
import { setCopyRange } from '../io/copyRange.js';
import { finiteOrNaN, type UnitSeries } from '../io/series.js';
import { sourceTable } from '../io/sourceTime.js';
import { monthBounds, paramCast } from '../io/timeColumn.js';

/** Rows of look-back Track 1 needs: the largest window (120) − 1, plus one for the slopes. */
export const BOLLINGER_LOOKBACK = 120;

/**
 * Reads `bqx_{pair}`'s input column for the month plus the look-back rows before it. Call it
 * inside a transaction (the unit's snapshot): the month's bounds travel in its settings.
 */
export async function loadBollingerInput(
  client: pg.ClientBase,
  settings: Settings,
  pair: string,
  month: Month,
): Promise<UnitSeries> {
  const src = await sourceTable(client, settings, 'bqx', pair);
  const table = qualified(settings.schema, src.table);
  const time = ident(src.time);
  const x = `${ident(settings.bollingerInput)}::float8`;
  const range = await setCopyRange(client, src.kind, ...monthBounds(month, src.kind));
  // Binary COPY of one row of arrays: a tenth of the client time of a row per value.
  // The look-back: the last rows before the month with a finite time (as its digest).
  const [bt, bx] = await copyOutArrays(
    client,
    `SELECT array_agg(t ORDER BY t), array_agg(x ORDER BY t) FROM (
       SELECT ${time} AS t, ${x} AS x FROM ${table}
        WHERE ${time} < ${range.lower} AND ${time} > '-infinity'
        ORDER BY ${time} DESC LIMIT ${BOLLINGER_LOOKBACK}) b`,
    ['timestamp', 'float8'],
  );
  const [mt, mx] = await copyOutArrays(
    client,
    `SELECT array_agg(${time} ORDER BY ${time}), array_agg(${x} ORDER BY ${time}) FROM ${table}
      WHERE ${time} >= ${range.lower} AND ${time} < ${range.upper}`,
    ['timestamp', 'float8'],
  );
  return seriesOf(bt!, bx!, mt!, mx!);
}

/** Look-back then month rows as a series; non-finite values read as NULL (NaN). */
function seriesOf(
  bt: Float64Array,
  bx: Float64Array,
  mt: Float64Array,
  mx: Float64Array,
): UnitSeries {
  const times = new Float64Array(bt.length + mt.length);
  times.set(bt);
  times.set(mt, bt.length);
  const x = new Float64Array(times.length);
  x.set(bx);
  x.set(mx, bx.length);
  return { times, values: [finiteOrNaN(x)], lookback: bt.length };
}

/** Rows a month of Track 1 writes: the month's rows of `bqx_{pair}`. */
export async function bollingerSourceCount(
  client: pg.ClientBase,
  settings: Settings,
  pair: string,
  month: Month,
): Promise<number> {
  const src = await sourceTable(client, settings, 'bqx', pair);
  const time = ident(src.time);
  const cast = paramCast(src.kind);
  const r = await client.query({
    text: `SELECT count(*)::int FROM ${qualified(settings.schema, src.table)} WHERE ${time} >= $1${cast} AND ${time} < $2${cast}`,
    values: monthBounds(month, src.kind),
    rowMode: 'array',
  });
  return Number(r.rows[0]?.[0] ?? 0);
}

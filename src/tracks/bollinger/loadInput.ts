import type pg from 'pg';
import type { Settings } from '../../config/load.js';
import type { Month } from '../../config/months.js';
import { ident, qualified } from '../../db/sql/ident.js';
import { seriesFromRows, type UnitSeries } from '../io/series.js';
import { sourceTable } from '../io/sourceTime.js';
import { epochMicrosSql, monthBounds, paramCast } from '../io/timeColumn.js';

/** Rows of look-back Track 1 needs: the largest window (120) − 1, plus one for the slopes. */
export const BOLLINGER_LOOKBACK = 120;

/** Reads `bqx_{pair}`'s input column for the month plus the look-back rows before it. */
export async function loadBollingerInput(
  client: pg.ClientBase,
  settings: Settings,
  pair: string,
  month: Month,
): Promise<UnitSeries> {
  const src = await sourceTable(client, settings, 'bqx', pair);
  const table = qualified(settings.schema, src.table);
  const time = ident(src.time);
  const x = ident(settings.bollingerInput);
  const cast = paramCast(src.kind);
  const us = epochMicrosSql(src.time);
  const [start, end] = monthBounds(month, src.kind);
  const back = await client.query({
    text: `SELECT ${us}, ${x} FROM ${table} WHERE ${time} < $1${cast} ORDER BY ${time} DESC LIMIT ${BOLLINGER_LOOKBACK}`,
    values: [start],
    rowMode: 'array',
  });
  const cur = await client.query({
    text: `SELECT ${us}, ${x} FROM ${table} WHERE ${time} >= $1${cast} AND ${time} < $2${cast} ORDER BY ${time}`,
    values: [start, end],
    rowMode: 'array',
  });
  return seriesFromRows([...back.rows.reverse(), ...cur.rows], 1, back.rows.length);
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

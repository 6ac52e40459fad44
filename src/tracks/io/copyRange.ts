import type pg from 'pg';
import { paramCast, type TimeKind } from './timeColumn.js';

/** The transaction settings that carry a time range into a COPY (which takes no parameters). */
const RANGE_SETTINGS = { lower: 'bqx_monitor.load_lower', upper: 'bqx_monitor.load_upper' };

/** A time range as SQL expressions a COPY's query can use. */
export interface CopyRange {
  readonly lower: string;
  readonly upper: string;
}

/**
 * Sets [lower, upper) (literals of the column's time kind) for the COPYs that follow in
 * this transaction: passed as values through `set_config` (local to the transaction, so
 * call it inside one), read back by `current_setting` and cast to the column's kind. A COPY
 * takes no bind parameters, and values are never spliced into SQL.
 */
export async function setCopyRange(
  client: pg.ClientBase,
  kind: TimeKind,
  lower: string,
  upper: string,
): Promise<CopyRange> {
  await client.query('SELECT set_config($1, $2, true), set_config($3, $4, true)', [
    RANGE_SETTINGS.lower,
    lower,
    RANGE_SETTINGS.upper,
    upper,
  ]);
  const cast = paramCast(kind);
  return {
    lower: `current_setting('${RANGE_SETTINGS.lower}')${cast}`,
    upper: `current_setting('${RANGE_SETTINGS.upper}')${cast}`,
  };
}

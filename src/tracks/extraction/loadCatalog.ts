import type pg from 'pg';
import type { Settings } from '../../config/load.js';
import { columnTypes } from '../../db/columnTypes.js';
import { PHASE1_TABLE_NAMES } from '../../db/contract/columns.js';
import { columnName, tableName } from '../../db/contract/physical.js';
import { timeKindOf } from '../io/timeColumn.js';
import type { JoinCatalog } from './joinQuery.js';

/**
 * The catalog facts of the five Phase-1 tables of a pair. A missing table is reported
 * here, before any file is opened (the preflight names it first in a normal run).
 */
export async function loadJoinCatalog(
  client: pg.ClientBase,
  settings: Settings,
  pair: string,
): Promise<JoinCatalog> {
  const out: Record<string, { kind: 'naive' | 'aware'; types: Map<string, string> }> = {};
  for (const key of PHASE1_TABLE_NAMES) {
    const table = tableName(settings, key, pair);
    const types = await columnTypes(client, settings.schema, table);
    if (types.size === 0)
      throw new Error(
        `source table ${settings.schema}.${table} does not exist (run bqx-monitor doctor)`,
      );
    const time = columnName(settings, key, 'ts_utc');
    const kind = timeKindOf(types.get(time) ?? '');
    if (!kind)
      throw new Error(
        `${settings.schema}.${table}.${time} is not a timestamp column (run bqx-monitor doctor)`,
      );
    out[key] = { kind, types };
  }
  return out;
}

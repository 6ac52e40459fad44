import type pg from 'pg';
import type { Settings } from '../../config/load.js';
import type { TableKey } from '../../config/schema.js';
import { columnTypes } from '../../db/columnTypes.js';
import { columnName, tableName } from '../../db/contract/physical.js';
import { CONTRACT } from '../../db/contract/tables.js';
import { type TimeKind, timeKindOf } from './timeColumn.js';

/** A source table as a unit reads it: physical names and its time column's kind. */
export interface SourceTable {
  readonly table: string;
  readonly time: string;
  readonly kind: TimeKind;
  column(logical: string): string;
}

/** Resolves a source table's physical names and time kind (naive or aware) from the catalog. */
export async function sourceTable(
  client: pg.ClientBase,
  settings: Settings,
  key: TableKey,
  pair: string,
): Promise<SourceTable> {
  const table = tableName(settings, key, pair);
  const time = columnName(settings, key, CONTRACT[key].timeColumn);
  const types = await columnTypes(client, settings.schema, table);
  if (types.size === 0)
    throw new Error(
      `source table ${settings.schema}.${table} does not exist (run bqx-monitor doctor)`,
    );
  const kind = timeKindOf(types.get(time) ?? '');
  if (!kind)
    throw new Error(
      `${settings.schema}.${table}.${time} is not a timestamp column (run bqx-monitor doctor)`,
    );
  return { table, time, kind, column: (logical) => columnName(settings, key, logical) };
}

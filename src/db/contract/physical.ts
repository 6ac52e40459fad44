import type { Settings } from '../../config/load.js';
import type { TableKey } from '../../config/schema.js';
import { partitionSuffix, type Month } from '../../config/months.js';
import { ALL_PAIRS, isPairShaped } from '../../config/pairs.js';

/** Refuses a pair name before it can reach SQL (docs/spec/SCHEMA.md: `^[a-z]{6}$` and in the list). */
export function assertPair(pair: string, allowed: readonly string[] = ALL_PAIRS): string {
  if (!isPairShaped(pair) || !allowed.includes(pair)) {
    throw new Error(`unknown pair ${JSON.stringify(pair)}: expected one of ${allowed.join(', ')}`);
  }
  return pair;
}

/** The physical table name of a logical table for a pair. */
export function tableName(settings: Settings, key: TableKey, pair: string): string {
  return settings.tables[key].replace('{pair}', assertPair(pair));
}

/** The physical name of a monthly partition: `{table}_{yyyy}_{mm}`. */
export function partitionName(settings: Settings, key: TableKey, pair: string, month: Month) {
  return `${tableName(settings, key, pair)}_${partitionSuffix(month)}`;
}

/** The physical name of a logical column (config may rename it). */
export function columnName(settings: Settings, key: TableKey, logical: string): string {
  return settings.columns[key][logical] ?? logical;
}

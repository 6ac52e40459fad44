import type pg from 'pg';
import type { MonthSpan, Settings } from '../../config/load.js';
import {
  type Month,
  monthRange,
  monthStartLiteral,
  nextMonth,
  partitionSuffix,
} from '../../config/months.js';
import type { TableKey } from '../../config/schema.js';
import { columnName, tableName } from '../../db/contract/physical.js';
import { CONTRACT } from '../../db/contract/tables.js';
import { CATALOG_NAME } from '../../db/preflight/types.js';
import { ident, qualified } from '../../db/sql/ident.js';

/** Source tables the demo seeder creates for a pair, in load order. */
export const SOURCE_TABLE_KEYS = [
  'm1',
  'bqx',
  'bollinger_rate',
  'statistics_rate',
  'volume_features',
  'spread_features',
  'time_features',
] as const satisfies readonly TableKey[];

/**
 * Storage options of the seeded tables. They are written once, by one transaction, and
 * analyzed by it: autovacuum would only vacuum and analyze each of them again (an
 * anti-wraparound vacuum still runs whatever this says).
 */
const WRITE_ONCE = 'WITH (autovacuum_enabled = false)';

/**
 * DDL that (re)creates one pair's source tables as docs/spec/SCHEMA.md lays them out: m1 without a
 * key (as in production), bqx partitioned by month on ts_utc, Phase-1 tables keyed by
 * ts_utc. The keys come after the rows (`sourceIndexDdl`): one sorted build of each
 * index instead of an insertion per row.
 */
export function sourceTablesDdl(
  client: Pick<pg.ClientBase, 'escapeLiteral'>,
  settings: Settings,
  pair: string,
  span: MonthSpan,
): string[] {
  const out: string[] = [];
  for (const key of SOURCE_TABLE_KEYS) {
    const spec = CONTRACT[key];
    const name = tableName(settings, key, pair);
    const table = qualified(settings.schema, name);
    const cols = spec.columns.map(
      (c) => `${ident(columnName(settings, key, c.name))} ${CATALOG_NAME[c.type]}`,
    );
    const time = ident(columnName(settings, key, spec.timeColumn));
    out.push(`DROP TABLE IF EXISTS ${table} CASCADE`);
    if (spec.monthlyPartitions) {
      out.push(`CREATE TABLE ${table} (${cols.join(', ')}) PARTITION BY RANGE (${time})`);
      for (const m of monthRange(span.from, span.to)) {
        const part = qualified(settings.schema, sourcePartitionName(settings, key, pair, m));
        const from = client.escapeLiteral(monthStartLiteral(m));
        const to = client.escapeLiteral(monthStartLiteral(nextMonth(m)));
        out.push(
          `CREATE TABLE ${part} PARTITION OF ${table} FOR VALUES FROM (${from}) TO (${to}) ${WRITE_ONCE}`,
        );
      }
    } else {
      out.push(`CREATE TABLE ${table} (${cols.join(', ')}) ${WRITE_ONCE}`);
    }
  }
  return out;
}

/**
 * The keys of a pair's loaded source tables: `ts_utc` primary keys (a partitioned table's
 * reaches each partition), and the index that lets Track 2 read a month of m1 by time
 * (m1 has no key, as in production).
 */
export function sourceIndexDdl(settings: Settings, pair: string): string[] {
  return SOURCE_TABLE_KEYS.map((key) => {
    const name = tableName(settings, key, pair);
    const table = qualified(settings.schema, name);
    const time = ident(columnName(settings, key, CONTRACT[key].timeColumn));
    return key === 'm1'
      ? `CREATE INDEX ${ident(`${name}_time_idx`)} ON ${table} (${time})`
      : `ALTER TABLE ${table} ADD PRIMARY KEY (${time})`;
  });
}

/** The monthly partition of a partitioned source table (bqx), as `sourceTablesDdl` names it. */
export function sourcePartitionName(settings: Settings, key: TableKey, pair: string, m: Month) {
  return `${tableName(settings, key, pair)}_${partitionSuffix(m)}`;
}

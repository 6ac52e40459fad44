import type pg from 'pg';
import type { MonthSpan, Settings } from '../../config/load.js';
import { monthRange, monthStartLiteral, nextMonth, partitionSuffix } from '../../config/months.js';
import type { TableKey } from '../../config/schema.js';
import { columnName, tableName } from '../contract/physical.js';
import { CONTRACT } from '../contract/tables.js';
import { CATALOG_NAME } from '../preflight/types.js';
import { ident, qualified } from '../sql/ident.js';

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
 * DDL that (re)creates one pair's source tables as SCHEMA.md lays them out: m1 without a
 * key (as in production), bqx partitioned by month on ts_utc, Phase-1 tables keyed by ts_utc.
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
    if (key === 'm1') {
      out.push(`CREATE TABLE ${table} (${cols.join(', ')})`);
    } else if (spec.monthlyPartitions) {
      out.push(
        `CREATE TABLE ${table} (${cols.join(', ')}, PRIMARY KEY (${time})) PARTITION BY RANGE (${time})`,
      );
      for (const m of monthRange(span.from, span.to)) {
        const part = qualified(settings.schema, `${name}_${partitionSuffix(m)}`);
        const from = client.escapeLiteral(monthStartLiteral(m));
        const to = client.escapeLiteral(monthStartLiteral(nextMonth(m)));
        out.push(`CREATE TABLE ${part} PARTITION OF ${table} FOR VALUES FROM (${from}) TO (${to})`);
      }
    } else {
      out.push(`CREATE TABLE ${table} (${cols.join(', ')}, PRIMARY KEY (${time}))`);
    }
  }
  return out;
}

/** Index that lets Track 2 read a month of m1 by time without a key (created after loading). */
export function m1IndexDdl(settings: Settings, pair: string): string {
  const name = tableName(settings, 'm1', pair);
  const time = ident(columnName(settings, 'm1', 'time'));
  return `CREATE INDEX ${ident(`${name}_time_idx`)} ON ${qualified(settings.schema, name)} (${time})`;
}

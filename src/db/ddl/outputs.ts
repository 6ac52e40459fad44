import type pg from 'pg';
import type { MonthSpan, Settings } from '../../config/load.js';
import { monthRange, monthStartLiteral, nextMonth } from '../../config/months.js';
import type { TableKey } from '../../config/schema.js';
import { columnName, partitionName, tableName } from '../contract/physical.js';
import { CONTRACT } from '../contract/tables.js';
import type { Scope } from '../dataset.js';
import { ident, qualified } from '../sql/ident.js';

const SQL_TYPES = { timestamptz: 'timestamptz', float8: 'double precision' } as const;

/** `CREATE TABLE IF NOT EXISTS` for a monthly-partitioned output parent. */
export function parentDdl(settings: Settings, key: TableKey, pair: string): string {
  const spec = CONTRACT[key];
  const cols = spec.columns.map((c) => {
    const type = c.type === 'timestamptz' ? SQL_TYPES.timestamptz : SQL_TYPES.float8;
    return `${ident(columnName(settings, key, c.name))} ${type}`;
  });
  const time = ident(columnName(settings, key, spec.timeColumn));
  const table = qualified(settings.schema, tableName(settings, key, pair));
  return `CREATE TABLE IF NOT EXISTS ${table} (${cols.join(', ')}, PRIMARY KEY (${time})) PARTITION BY RANGE (${time})`;
}

/**
 * Storage options of the output partitions bqx-monitor creates. Each is rewritten whole by
 * one unit's transaction (TRUNCATE, COPY FREEZE) and read afterwards: autovacuum would
 * vacuum and analyze it again after every write, for nothing. A run analyzes what it wrote
 * at its end (`analyzeWritten`). An anti-wraparound vacuum still runs whatever this says.
 */
export const OUTPUT_PARTITION_OPTIONS = 'WITH (autovacuum_enabled = false)';

/** `CREATE TABLE IF NOT EXISTS … PARTITION OF` for every month of a span (UTC bounds). */
export function partitionDdl(
  client: Pick<pg.ClientBase, 'escapeLiteral'>,
  settings: Settings,
  key: TableKey,
  pair: string,
  span: MonthSpan,
): string[] {
  const parent = qualified(settings.schema, tableName(settings, key, pair));
  return monthRange(span.from, span.to).map((m) => {
    const part = qualified(settings.schema, partitionName(settings, key, pair, m));
    const from = client.escapeLiteral(monthStartLiteral(m));
    const to = client.escapeLiteral(monthStartLiteral(nextMonth(m)));
    return `CREATE TABLE IF NOT EXISTS ${part} PARTITION OF ${parent} FOR VALUES FROM (${from}) TO (${to}) ${OUTPUT_PARTITION_OPTIONS}`;
  });
}

/** Output tables of each track and the month span they are partitioned over. */
function outputsOf(scope: Scope): Array<[TableKey, MonthSpan]> {
  return [
    ['bollinger_bqx', scope.bollinger],
    ['reg_rate', scope.regression],
    ['reg_bqx', scope.regression],
  ];
}

/**
 * Creates every output parent and monthly partition of the scope, idempotently: one
 * transaction per pair, all statements of a pair in one round trip.
 */
export async function createOutputTables(
  client: pg.ClientBase,
  settings: Settings,
  scope: Scope,
  onPair: (pair: string, index: number) => void = () => {},
): Promise<{ tables: number }> {
  let tables = 0;
  await client.query(`CREATE SCHEMA IF NOT EXISTS ${ident(settings.schema)}`);
  for (const [i, pair] of scope.pairs.entries()) {
    const statements: string[] = [];
    for (const [key, span] of outputsOf(scope)) {
      statements.push(
        parentDdl(settings, key, pair),
        ...partitionDdl(client, settings, key, pair, span),
      );
    }
    tables += statements.length;
    await client.query(`BEGIN; ${statements.join(';\n')}; COMMIT`).catch(async (err) => {
      await client.query('ROLLBACK').catch(() => {});
      throw err;
    });
    onPair(pair, i);
  }
  return { tables };
}

import type pg from 'pg';
import type { Settings } from '../../config/load.js';
import { monthRange, monthStartMs, nextMonth } from '../../config/months.js';
import { columnName, tableName } from '../../db/contract/physical.js';
import { CONTRACT } from '../../db/contract/tables.js';
import { binaryCopyStream } from '../../db/copy/binaryColumns.js';
import { copyInBinary } from '../../db/copy/copyIn.js';
import { ident, qualified } from '../../db/sql/ident.js';
import { pairTables, type SeedTable } from './pairTables.js';
import type { SeedPlan } from './presets.js';
import { sourceIndexDdl, sourcePartitionName, sourceTablesDdl } from './sourceDdl.js';

/** Called after each table of a pair is loaded. */
export type TableLoaded = (table: string, rows: number) => void;

/** First index of ascending `time` at or after `ms`. */
function firstAtOrAfter(time: Float64Array, ms: number): number {
  let lo = 0;
  let hi = time.length;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if (time[mid]! < ms) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

/**
 * Where a table's rows go: the table itself, or (bqx) each month's partition with its
 * rows. COPY FREEZE needs the table it fills, not a partitioned parent.
 */
function destinations(
  settings: Settings,
  plan: SeedPlan,
  pair: string,
  t: SeedTable,
): Array<{ table: string; start: number; end: number }> {
  if (!CONTRACT[t.key].monthlyPartitions) {
    return [{ table: tableName(settings, t.key, pair), start: 0, end: t.time.length }];
  }
  return monthRange(plan.data.from, plan.data.to).map((m) => ({
    table: sourcePartitionName(settings, t.key, pair, m),
    start: firstAtOrAfter(t.time, monthStartMs(m)),
    end: firstAtOrAfter(t.time, monthStartMs(nextMonth(m))),
  }));
}

/**
 * (Re)creates one pair's seven source tables and fills them, inside the caller's
 * transaction: the tables are created by it, so binary COPY FREEZE applies, and on a
 * server with `wal_level = minimal` the rows are not written to the WAL at all (the
 * files are synced at commit instead). Then the keys and indexes, and ANALYZE of the time
 * columns, so the tracks' first queries are planned on real statistics (autovacuum is off
 * for these tables, see sourceDdl.ts). Returns the pair's bar count.
 */
export async function loadPair(
  client: pg.ClientBase,
  settings: Settings,
  plan: SeedPlan,
  pair: string,
  onTable: TableLoaded = () => {},
): Promise<number> {
  // Durable when the commit returns, whatever the server's default (the embedded one
  // commits asynchronously): "done" is printed after it.
  await client.query('SET LOCAL synchronous_commit = on');
  // One process per index build: pairs load in parallel already, and a parallel build
  // hands its sorted runs over through temporary files.
  await client.query('SET LOCAL max_parallel_maintenance_workers = 0');
  await client.query(sourceTablesDdl(client, settings, pair, plan.data).join(';\n'));
  let bars = 0;
  const loaded: string[] = [];
  for (const t of pairTables(plan, pair)) {
    bars = t.time.length;
    const columns = CONTRACT[t.key].columns.map((c) => columnName(settings, t.key, c.name));
    for (const d of destinations(settings, plan, pair, t)) {
      if (d.end <= d.start) continue;
      await copyInBinary(
        client,
        { schema: settings.schema, table: d.table, columns },
        binaryCopyStream(t.columns, d.start, d.end),
        { freeze: true },
      );
    }
    const name = tableName(settings, t.key, pair);
    const time = columnName(settings, t.key, CONTRACT[t.key].timeColumn);
    loaded.push(`${qualified(settings.schema, name)} (${ident(time)})`);
    onTable(name, t.time.length);
  }
  await client.query(sourceIndexDdl(settings, pair).join(';\n'));
  // Statistics of the time columns the tracks select ranges of and join on, and the
  // tables' row counts: the full ANALYZE of the 120 columns took longer than the load.
  // A partitioned table's ANALYZE also analyzes each of its partitions.
  await client.query(`ANALYZE ${loaded.join(', ')}`);
  return bars;
}

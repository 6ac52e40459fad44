import type pg from 'pg';
import type { Settings } from '../../config/load.js';
import { parseMonth } from '../../config/months.js';
import type { TableKey } from '../../config/schema.js';
import { columnName, partitionName } from '../contract/physical.js';
import { CONTRACT } from '../contract/tables.js';
import { ident, qualified } from '../sql/ident.js';

/** A unit a run wrote, as the ledger names it: its track and `pair/YYYY-MM`. */
export interface WrittenUnit {
  readonly track: string;
  readonly unit: string;
}

/** The output tables each month track writes (Track 3 writes files, nothing to analyze). */
const OUTPUTS: Readonly<Record<string, readonly TableKey[]>> = {
  bollinger: ['bollinger_bqx'],
  regression: ['reg_rate', 'reg_bqx'],
};

/**
 * Statistics target of the run's ANALYZE: 3,000 sampled rows a partition give its row
 * count within a fraction of a percent and a ten-bucket histogram of the key, in about
 * 20–40 ms a partition. The default (30,000 rows, every feature column) took 1.4 s for
 * one of Track 2's 90-column partitions: 20 minutes for the seed's 1,008.
 */
const STATISTICS_TARGET = 10;

/** Partitions analyzed per statement (each in its own transaction, see below). */
const PER_STATEMENT = 100;

/** A partition to analyze: its qualified name and its quoted key column. */
interface WrittenPartition {
  readonly table: string;
  readonly key: string;
}

/** The partitions that `units` wrote, once each; other tracks' units and odd keys are skipped. */
export function writtenPartitions(
  settings: Settings,
  units: readonly WrittenUnit[],
): WrittenPartition[] {
  const out = new Map<string, WrittenPartition>();
  for (const u of units) {
    const keys = OUTPUTS[u.track];
    const m = /^([a-z]{6})\/(\d{4}-\d{2})$/.exec(u.unit);
    const month = m ? parseMonth(m[2]!) : undefined;
    if (!keys || !m || !month) continue;
    for (const key of keys) {
      const table = qualified(settings.schema, partitionName(settings, key, m[1]!, month));
      out.set(table, { table, key: ident(columnName(settings, key, CONTRACT[key].timeColumn)) });
    }
  }
  return [...out.values()];
}

/**
 * ANALYZEs the output partitions a run wrote, to be called once at the run's end: they are
 * created with autovacuum off (outputs.ts), so nothing else gathers their statistics. Only
 * the key column (`ts_utc`, what readers select ranges of) and the row counts. Run outside
 * a transaction: PostgreSQL then analyzes each table in its own short transaction, so no
 * lock is held on a partition a unit of another run might be writing. Partitions that do
 * not exist (a unit that wrote nothing) are skipped. Returns how many were analyzed.
 */
export async function analyzeWritten(
  client: pg.ClientBase,
  settings: Settings,
  units: readonly WrittenUnit[],
): Promise<number> {
  const wanted = writtenPartitions(settings, units);
  const existing = await client.query<{ ok: boolean }>({
    text: 'SELECT to_regclass(name) IS NOT NULL AS ok FROM unnest($1::text[]) WITH ORDINALITY AS w(name, i) ORDER BY i',
    values: [wanted.map((p) => p.table)],
  });
  const targets = wanted.filter((_, i) => existing.rows[i]?.ok);
  if (targets.length === 0) return 0;
  await client.query(`SET default_statistics_target = ${STATISTICS_TARGET}`);
  try {
    for (let i = 0; i < targets.length; i += PER_STATEMENT) {
      const batch = targets.slice(i, i + PER_STATEMENT).map((p) => `${p.table} (${p.key})`);
      await client.query(`ANALYZE ${batch.join(', ')}`);
    }
  } finally {
    await client.query('RESET default_statistics_target');
  }
  return targets.length;
}

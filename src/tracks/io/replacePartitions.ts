import type pg from 'pg';
import type { Settings } from '../../config/load.js';
import type { Month } from '../../config/months.js';
import type { TableKey } from '../../config/schema.js';
import { columnName, partitionName, tableName } from '../../db/contract/physical.js';
import { CONTRACT } from '../../db/contract/tables.js';
import { copyIn, copyInBinary } from '../../db/copy/copyIn.js';
import { encodeBinaryRows } from '../../db/copy/binaryEncoder.js';
import { columnTypes } from '../../db/columnTypes.js';
import { encodeFloat, encodeMicros } from '../../db/copy/encode.js';
import { parentDdl, partitionDdl } from '../../db/ddl/outputs.js';
import { recordOutcome, type UnitOutcome } from '../../db/ledger/results.js';
import { qualified } from '../../db/sql/ident.js';
import { timeKindOf } from './timeColumn.js';

/** One month partition's new contents: times (epoch µs) and feature columns in contract order. */
export interface PartitionWrite {
  readonly key: TableKey;
  readonly pair: string;
  readonly month: Month;
  readonly times: Float64Array;
  /** Columns named as in the contract (after the time column); NaN is written as NULL. */
  readonly columns: ReadonlyMap<string, Float64Array>;
  /**
   * Fills the columns' first `rows` rows, called in order before they are written: the
   * columns are computed while the rows before stream to the server (Track 1). Without
   * it, the columns are complete.
   */
  readonly fill?: (rows: number) => void;
}

/** Rows filled at once on the text path (as the binary one does a chunk at a time). */
const FILL_ROWS = 2048;

/** Creates the output parent and the month's partition if missing (safe to race). */
async function ensurePartition(client: pg.ClientBase, settings: Settings, w: PartitionWrite) {
  const ddl = [
    parentDdl(settings, w.key, w.pair),
    ...partitionDdl(client, settings, w.key, w.pair, { from: w.month, to: w.month }),
  ];
  for (const statement of ddl) {
    for (let attempt = 0; ; attempt++) {
      try {
        await client.query(statement);
        break;
      } catch (err) {
        // Two workers creating the same table at once: the loser sees a duplicate; retry sees it exists.
        const code = (err as { code?: string }).code;
        if (attempt < 3 && (code === '23505' || code === '42P07')) continue;
        throw err;
      }
    }
  }
}

/** How to write an output table: its key's time kind, and whether binary COPY fits it. */
interface WriteFormat {
  readonly aware: boolean;
  /** All feature columns are float8: binary COPY (else text, e.g. a user's numeric columns). */
  readonly binary: boolean;
}

/** Reads the output parent's column types (naive keys and numeric columns are accepted). */
async function writeFormat(
  client: pg.ClientBase,
  settings: Settings,
  w: PartitionWrite,
): Promise<WriteFormat> {
  const table = tableName(settings, w.key, w.pair);
  const types = await columnTypes(client, settings.schema, table);
  const spec = CONTRACT[w.key];
  const kind = timeKindOf(types.get(columnName(settings, w.key, spec.timeColumn)) ?? '');
  if (!kind) throw new Error(`output table ${table} has no timestamp key`);
  const binary = spec.columns
    .slice(1)
    .every((c) => types.get(columnName(settings, w.key, c.name)) === 'double precision');
  return { aware: kind === 'aware', binary };
}

/**
 * Replaces month partitions and records the unit's outcome in ONE transaction: readers
 * and a crash see either the old contents or the new, never a mix (TRUNCATE is
 * transactional in PostgreSQL). On a server with `wal_level = minimal` the rows of a
 * partition truncated in its transaction are not written to the WAL: its files are synced
 * at commit instead. Returns the bytes sent.
 */
export async function replacePartitions(
  client: pg.ClientBase,
  settings: Settings,
  writes: readonly PartitionWrite[],
  outcome: (bytes: number) => UnitOutcome,
): Promise<number> {
  const formats: WriteFormat[] = [];
  for (const w of writes) {
    await ensurePartition(client, settings, w);
    formats.push(await writeFormat(client, settings, w));
  }
  let bytes = 0;
  await client.query('BEGIN');
  try {
    // Durable when the commit returns, whatever the server's default (the embedded one
    // commits its small bookkeeping transactions asynchronously).
    await client.query('SET LOCAL synchronous_commit = on');
    for (const [i, w] of writes.entries()) {
      const spec = CONTRACT[w.key];
      const part = partitionName(settings, w.key, w.pair, w.month);
      await client.query(`TRUNCATE ${qualified(settings.schema, part)}`);
      const features = spec.columns.slice(1).map((c) => {
        const col = w.columns.get(c.name);
        if (!col || col.length !== w.times.length)
          throw new Error(`column ${c.name} missing or of wrong length`);
        return col;
      });
      const format = formats[i]!;
      const target = {
        schema: settings.schema,
        table: part,
        columns: spec.columns.map((c) => columnName(settings, w.key, c.name)),
      };
      // FREEZE: the partition was truncated by this transaction, so its rows can be
      // written frozen and all-visible — no hint bits for their first reader to set (with
      // data checksums, a WAL page image each) and no vacuum to do.
      bytes += format.binary
        ? await copyInBinary(client, target, encodeBinaryRows(w.times, features, w.fill), {
            freeze: true,
          })
        : await copyIn(client, target, w.times.length, { freeze: true }, (r) => {
            if (r % FILL_ROWS === 0) w.fill?.(Math.min(w.times.length, r + FILL_ROWS));
            const row = new Array<string>(features.length + 1);
            row[0] = encodeMicros(w.times[r]!, format.aware);
            for (let c = 0; c < features.length; c++) row[c + 1] = encodeFloat(features[c]![r]!);
            return row;
          });
    }
    // Every row is written, so computed: the outcome may count what they held.
    for (const w of writes) w.fill?.(w.times.length);
    await recordOutcome(client, outcome(bytes));
    await client.query('COMMIT');
  } catch (err) {
    await client.query('ROLLBACK').catch(() => {});
    throw err;
  }
  return bytes;
}

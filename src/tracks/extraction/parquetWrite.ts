import type { RecordBatch } from 'apache-arrow';
import type { Settings } from '../../config/load.js';
import { packageVersion } from '../../config/version.js';
import { PHASE1_TABLE_NAMES } from '../../db/contract/columns.js';
import { tableName } from '../../db/contract/physical.js';
import type { UnitScope } from '../io/unitShell.js';
import { extractionSchema, toRecordBatch } from './arrowBatch.js';
import { type JoinStream, ROW_GROUP_ROWS } from './joinStream.js';
import { type CompressionName, writeParquetAtomically } from './parquetFile.js';

/** Where and how a pair's file is written. */
export interface ParquetTarget {
  readonly pair: string;
  /** The file's path (`{outDir}/{pair}.parquet`). */
  readonly path: string;
  readonly compression: CompressionName;
}

/**
 * Writes the streamed join to its Parquet file (a row group per decoded batch, announcing
 * the rows written so far) through a temporary file renamed into place only when complete.
 * Fails when the stream held other than the counted rows. Returns the rows and bytes, when
 * the stream's last batch was read (`scope.now()`), and the encoding's CPU time.
 */
export async function writeJoinParquet(
  scope: UnitScope,
  join: JoinStream,
  target: ParquetTarget,
): Promise<{ rows: number; bytes: number; streamedAt: number; encodeCpuMs: number }> {
  const { total } = join;
  const schema = extractionSchema(join.columns);
  let rows = 0;
  let streamedAt = scope.now();
  const batches = async function* (): AsyncGenerator<RecordBatch> {
    for await (const b of join.batches) {
      rows += b.rows;
      scope.emit({ type: 'stage', stage: 'write', rows, total });
      yield toRecordBatch(schema, b.columns, b.rows);
      // The writer has serialised the batch by the time it asks for the next one.
      join.recycle(b.columns);
    }
    streamedAt = scope.now();
  };
  const { bytes, encodeCpuMs } = await writeParquetAtomically({
    target: target.path,
    batches: batches(),
    compression: target.compression,
    rowGroupRows: ROW_GROUP_ROWS,
    dictionaryColumns: join.columns.filter((c) => c.wire === 'text').map((c) => c.spec.name),
    metadata: fileMetadata(scope.ctx.settings, target.pair, total),
  });
  if (rows !== total) throw new Error(`streamed ${rows} rows but the join has ${total}`);
  return { rows, bytes, streamedAt, encodeCpuMs: encodeCpuMs ?? 0 };
}

/** The file's key-value metadata: what it holds, where from, written by what and when. */
function fileMetadata(settings: Settings, pair: string, rows: number): Record<string, string> {
  return {
    pair,
    row_count: String(rows),
    source_tables: PHASE1_TABLE_NAMES.map(
      (k) => `${settings.schema}.${tableName(settings, k, pair)}`,
    ).join(','),
    tool: `bqx-monitor ${packageVersion()}`,
    created_at: new Date().toISOString(),
  };
}

import { mkdir } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import type { RecordBatch } from 'apache-arrow';
import type pg from 'pg';
import { to as copyTo } from 'pg-copy-streams';
import { packageVersion } from '../../cli/version.js';
import { BinaryCopyDecoder } from '../../db/copy/binaryDecoder.js';
import { PHASE1_TABLE_NAMES } from '../../db/contract/columns.js';
import { tableName } from '../../db/contract/physical.js';
import { ensureResultsTable, recordOutcome, type UnitOutcome } from '../../db/ledger/results.js';
import { reportEmpty, reportFailure, type UnitContext } from '../io/unitContext.js';
import { extractionSchema, toRecordBatch } from './arrowBatch.js';
import { extractionCopySql } from './joinQuery.js';
import { loadJoinCatalog } from './loadCatalog.js';
import {
  type CompressionName,
  removeStaleTempFiles,
  writeParquetAtomically,
} from './parquetFile.js';

/** Rows per decoded batch and per Parquet row group: bounds memory whatever the pair's size. */
export const ROW_GROUP_ROWS = 32_768;

/** Options of an extraction unit. */
export interface ExtractionOptions {
  readonly outDir: string;
  readonly compression: CompressionName;
}

/**
 * Track 3, one pair: stream the inner join of the five Phase-1 tables (binary COPY,
 * decoded into typed arrays) into `{outDir}/{pair}.parquet`, a row group at a time,
 * through a temporary file renamed into place only when complete. The row count and the
 * rows come from one REPEATABLE READ snapshot. An empty join ends "empty": no file.
 */
export async function runExtractionUnit(
  ctx: UnitContext,
  pair: string,
  opts: ExtractionOptions,
): Promise<UnitOutcome> {
  const unit = pair;
  const now = ctx.now ?? performance.now.bind(performance);
  const t0 = now();
  ctx.emit({ type: 'unit_start', unit, attempt: ctx.attempt });
  const target = path.join(opts.outDir, `${pair}.parquet`);
  try {
    await mkdir(opts.outDir, { recursive: true });
    await removeStaleTempFiles(opts.outDir, `${pair}.parquet`);
    const result = await ctx.withPgClient(async (client) => {
      await client.query('BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY');
      // This process needs the other core to encode Parquet: parallel query workers only
      // compete with it (measured: the count 2-3x slower, the COPY no faster).
      await client.query('SET LOCAL max_parallel_workers_per_gather = 0');
      try {
        const catalog = await loadJoinCatalog(client, ctx.settings, pair);
        const { select, copy, columns } = extractionCopySql(ctx.settings, pair, catalog);
        ctx.emit({ type: 'stage', unit, stage: 'load' });
        const count = await client.query(`SELECT count(*)::int AS n FROM (${select}) j`);
        const total: number = count.rows[0].n;
        if (total === 0) return undefined;
        const schema = extractionSchema(columns);
        const decoder = new BinaryCopyDecoder(
          ['timestamp', ...columns.map((c) => c.wire)],
          ROW_GROUP_ROWS,
        );
        let rows = 0;
        const batches = async function* (): AsyncGenerator<RecordBatch> {
          const stream = client.query(copyTo(copy)) as unknown as AsyncIterable<Buffer>;
          for await (const chunk of stream) {
            decoder.push(chunk);
            for (let b = decoder.ready.shift(); b; b = decoder.ready.shift()) {
              rows += b.rows;
              ctx.emit({ type: 'stage', unit, stage: 'write', rows, total });
              yield toRecordBatch(schema, b.columns, b.rows);
              // The writer has serialised the batch by the time it asks for the next one.
              decoder.recycle(b.columns);
            }
          }
          if (!decoder.end()) throw new Error('the COPY stream ended early');
          for (let b = decoder.ready.shift(); b; b = decoder.ready.shift()) {
            rows += b.rows;
            ctx.emit({ type: 'stage', unit, stage: 'write', rows, total });
            yield toRecordBatch(schema, b.columns, b.rows);
            // The writer has serialised the batch by the time it asks for the next one.
            decoder.recycle(b.columns);
          }
        };
        const { bytes } = await writeParquetAtomically({
          target,
          batches: batches(),
          compression: opts.compression,
          rowGroupRows: ROW_GROUP_ROWS,
          dictionaryColumns: columns.filter((c) => c.wire === 'text').map((c) => c.spec.name),
          metadata: {
            pair,
            row_count: String(total),
            source_tables: PHASE1_TABLE_NAMES.map(
              (k) => `${ctx.settings.schema}.${tableName(ctx.settings, k, pair)}`,
            ).join(','),
            tool: `bqx-monitor ${packageVersion()}`,
            created_at: new Date().toISOString(),
          },
        });
        if (rows !== total) throw new Error(`streamed ${rows} rows but the join has ${total}`);
        return { rows, bytes };
      } finally {
        await client.query('COMMIT').catch(() => {});
      }
    });
    if (!result) return await reportEmpty(ctx, 'extraction', unit, now() - t0);
    const ms = now() - t0;
    const outcome: UnitOutcome = {
      track: 'extraction',
      unit,
      status: 'done',
      rows: result.rows,
      bytes: result.bytes,
      ms,
      attempt: ctx.attempt,
      host: os.hostname(),
      worker: ctx.worker,
    };
    await ctx.withPgClient(async (c: pg.ClientBase) => {
      await ensureResultsTable(c);
      await recordOutcome(c, outcome);
    });
    ctx.emit({ type: 'unit_done', unit, rows: result.rows, bytes: result.bytes, ms, path: target });
    return outcome;
  } catch (err) {
    return reportFailure(ctx, 'extraction', unit, err, now() - t0);
  }
}

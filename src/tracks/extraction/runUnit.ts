import { mkdir } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import type { RecordBatch } from 'apache-arrow';
import type pg from 'pg';
import { to as copyTo } from 'pg-copy-streams';
import { packageVersion } from '../../config/version.js';
import { BinaryCopyDecoder, type DecodedBatch } from '../../db/copy/binaryDecoder.js';
import { PHASE1_TABLE_NAMES } from '../../db/contract/columns.js';
import { tableName } from '../../db/contract/physical.js';
import { recordOutcome, type UnitOutcome } from '../../db/ledger/results.js';
import { computeFingerprint } from '../../db/fingerprint/fingerprint.js';
import { unitInputsResolver } from '../freshness/unitInputs.js';
import { unitQuality } from '../io/quality.js';
import { reportEmpty, reportFailure, type UnitContext } from '../io/unitContext.js';
import { extractionSchema, toRecordBatch } from './arrowBatch.js';
import { extractionCopySql } from './joinQuery.js';
import { encoderThread } from './encoderThread.js';
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
 * Joined rows keyed ±infinity are left out and counted (a warning); NaN and ±Infinity
 * values are written as they are and counted per column (`unit_done.quality`, the
 * outcome's details).
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
  // Started (or found warm) now: it loads parquet-wasm while PostgreSQL prepares the join.
  encoderThread();
  try {
    await mkdir(opts.outDir, { recursive: true });
    await removeStaleTempFiles(opts.outDir, `${pair}.parquet`);
    const inputs = await ctx.withPgClient((c) =>
      unitInputsResolver(c, ctx.settings)('extraction', unit),
    );
    const result = await ctx.withPgClient(async (client) => {
      await client.query('BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY');
      // This process needs the other core to encode Parquet: parallel query workers only
      // compete with it (measured: the count 2-3x slower, the COPY no faster).
      await client.query('SET LOCAL max_parallel_workers_per_gather = 0');
      let copying = false;
      try {
        const catalog = await loadJoinCatalog(client, ctx.settings, pair);
        const { count, copy, columns } = extractionCopySql(ctx.settings, pair, catalog);
        ctx.emit({ type: 'stage', unit, stage: 'load' });
        // The row count (the file's metadata, the progress total) comes from a second
        // connection in this transaction's snapshot, while this one starts the COPY.
        const snapshot: string = (await client.query('SELECT pg_export_snapshot() AS id')).rows[0]
          .id;
        // Then the fingerprint of the five tables, in the same snapshot on the same
        // session (imported at once: the snapshot lives only while this transaction does).
        type Count = { rows: number; infinite: number };
        let counted: (c: Count) => void = () => {};
        const counting = new Promise<Count>((resolve) => {
          counted = resolve;
        });
        const fingerprinting = inSnapshot(ctx, snapshot, async (c) => {
          counted((await c.query<Count>(count)).rows[0]!);
          return computeFingerprint(c, inputs);
        });
        // A failure before the count fails the count too (a settled promise ignores it).
        const failedCount = fingerprinting.then(
          () => new Promise<Count>(() => {}),
          (err: unknown) => Promise.reject(err),
        );
        failedCount.catch(() => {});
        const schema = extractionSchema(columns);
        const decoder = new BinaryCopyDecoder(
          ['timestamp', ...columns.map((c) => c.wire)],
          ROW_GROUP_ROWS,
        );
        let rows = 0;
        const decoded = async function* (): AsyncGenerator<DecodedBatch> {
          copying = true;
          const stream = client.query(copyTo(copy)) as unknown as AsyncIterable<Buffer>;
          for await (const chunk of stream) {
            decoder.push(chunk);
            for (let b = decoder.ready.shift(); b; b = decoder.ready.shift()) yield b;
          }
          copying = false;
          if (!decoder.end()) throw new Error('the COPY stream ended early');
          for (let b = decoder.ready.shift(); b; b = decoder.ready.shift()) yield b;
        };
        // Start the COPY (up to its first batch) while the count runs.
        const source = decoded();
        const first = source.next();
        first.catch(() => {});
        const { rows: total, infinite } = await Promise.race([counting, failedCount]);
        if (infinite > 0) {
          ctx.emit({
            type: 'warning',
            unit,
            code: 'infinite_timestamp',
            count: infinite,
            message: `${infinite} joined row(s) of ${pair} have a ±infinity ts_utc and were left out of the file`,
          });
        }
        const dropped = { infinite_timestamp: infinite };
        if (total === 0) {
          if (!(await first).done) throw new Error('the join has rows but counted none');
          // "No data": nothing is recorded beyond the warning above.
          return { rows: 0, bytes: 0, quality: undefined, fingerprint: await fingerprinting };
        }
        const batches = async function* (): AsyncGenerator<RecordBatch> {
          for (let b = await first; !b.done; b = await source.next()) {
            rows += b.value.rows;
            ctx.emit({ type: 'stage', unit, stage: 'write', rows, total });
            yield toRecordBatch(schema, b.value.columns, b.value.rows);
            // The writer has serialised the batch by the time it asks for the next one.
            decoder.recycle(b.value.columns);
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
        // Field 0 is ts_utc; the decoder counted NaN / ±Infinity of every double it read.
        const nonFinite = Object.fromEntries(
          columns.map((c, i) => [c.spec.name, decoder.nonFinite[i + 1]!]),
        );
        return {
          rows,
          bytes,
          quality: unitQuality({ nonFinite, dropped }),
          fingerprint: await fingerprinting,
        };
      } finally {
        // A COPY left unread keeps the session busy: it is closed instead (on the error).
        if (!copying) await client.query('COMMIT').catch(() => {});
      }
    });
    if (result.rows === 0)
      return await reportEmpty(ctx, 'extraction', unit, now() - t0, result.fingerprint);
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
      outDir: path.resolve(opts.outDir),
      details: result.quality,
      fingerprint: result.fingerprint,
    };
    await ctx.withPgClient((c: pg.ClientBase) => recordOutcome(c, outcome));
    ctx.emit({
      type: 'unit_done',
      unit,
      rows: result.rows,
      bytes: result.bytes,
      ms,
      path: target,
      ...(result.quality ? { quality: result.quality } : {}),
    });
    return outcome;
  } catch (err) {
    return reportFailure(ctx, 'extraction', unit, err, now() - t0);
  }
}

/**
 * Runs `fn` on a connection of its own in the snapshot `snapshot` (exported by the unit's
 * transaction), beside the COPY: the join's row count (those the file gets, and those left
 * out for a ±infinity key), and the fingerprint of the five tables.
 */
async function inSnapshot<T>(
  ctx: UnitContext,
  snapshot: string,
  fn: (c: pg.ClientBase) => Promise<T>,
): Promise<T> {
  return ctx.withPgClient(async (c) => {
    await c.query('BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY');
    try {
      // A utility statement takes no parameters: the id is the server's, quoted by pg.
      await c.query(`SET TRANSACTION SNAPSHOT ${c.escapeLiteral(snapshot)}`);
      await c.query('SET LOCAL max_parallel_workers_per_gather = 0');
      return await fn(c);
    } finally {
      await c.query('COMMIT').catch(() => {});
    }
  });
}

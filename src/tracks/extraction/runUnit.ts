import { mkdir } from 'node:fs/promises';
import path from 'node:path';
import type { Fingerprint } from '../../db/fingerprint/fingerprint.js';
import { recordOutcome, type UnitOutcome } from '../../db/ledger/results.js';
import { unitQuality } from '../io/quality.js';
import type { UnitContext } from '../io/unitContext.js';
import { emptyUnit, runUnitShell, type UnitScope, unitOutcome } from '../io/unitShell.js';
import type { UnitQuality } from '../protocol/events.js';
import { encoderThread } from './encoderThread.js';
import { type JoinStream, withJoinStream } from './joinStream.js';
import { type CompressionName, removeStaleTempFiles } from './parquetFile.js';
import { type ParquetTarget, writeJoinParquet } from './parquetWrite.js';

/** Options of an extraction unit. */
export interface ExtractionOptions {
  readonly outDir: string;
  readonly compression: CompressionName;
}

/** A written file: its rows and bytes, and the data-quality counts of its rows. */
interface Written {
  readonly rows: number;
  readonly bytes: number;
  readonly quality: UnitQuality | undefined;
  /** The five tables' fingerprint, from the join's snapshot. */
  readonly fingerprint: Fingerprint;
  /** When the join's last batch was read (`scope.now()`); the encoder thread's CPU, ms. */
  readonly streamedAt: number;
  readonly encodeCpuMs: number;
}

/**
 * Track 3, one pair: stream the inner join of the five Phase-1 tables (binary COPY,
 * decoded into typed arrays; joinStream.ts) into `{outDir}/{pair}.parquet`, a row group
 * at a time, through a temporary file renamed into place only when complete
 * (parquetWrite.ts). The row count and the rows come from one REPEATABLE READ snapshot.
 * An empty join ends "empty": no file. Joined rows keyed ±infinity are left out and
 * counted (a warning); NaN and ±Infinity values are written as they are and counted per
 * column (`unit_done.quality`, the outcome's details).
 */
export function runExtractionUnit(
  ctx: UnitContext,
  pair: string,
  opts: ExtractionOptions,
): Promise<UnitOutcome> {
  return runUnitShell(ctx, 'extraction', pair, async (scope) => {
    const target: ParquetTarget = {
      pair,
      path: path.join(opts.outDir, `${pair}.parquet`),
      compression: opts.compression,
    };
    // Started (or found warm) now: it loads parquet-wasm while PostgreSQL prepares the join.
    encoderThread();
    await mkdir(opts.outDir, { recursive: true });
    await removeStaleTempFiles(opts.outDir, `${pair}.parquet`);
    const written = await withJoinStream(scope, pair, (join) => writeJoin(scope, join, target));
    if ('empty' in written) return emptyUnit({ fingerprint: written.fingerprint });
    return recordWritten(scope, written, target.path, opts.outDir);
  });
}

/** The join written to its file, or undefined when it has no rows (no file then). */
async function writeJoin(
  scope: UnitScope,
  join: JoinStream,
  target: ParquetTarget,
): Promise<Written | { empty: true; fingerprint: Fingerprint }> {
  const { infinite } = join;
  if (infinite > 0) {
    scope.emit({
      type: 'warning',
      code: 'infinite_timestamp',
      count: infinite,
      message: `${infinite} joined row(s) of ${target.pair} have a ±infinity ts_utc and were left out of the file`,
    });
  }
  if (join.total === 0) {
    if (!(await join.batches.next()).done) throw new Error('the join has rows but counted none');
    // "No data": nothing is recorded beyond the warning above, and the fingerprint.
    return { empty: true, fingerprint: await join.fingerprint };
  }
  const { rows, bytes, streamedAt, encodeCpuMs } = await writeJoinParquet(scope, join, target);
  const dropped = { infinite_timestamp: infinite };
  const quality = unitQuality({ nonFinite: join.nonFinite(), dropped });
  return { rows, bytes, quality, fingerprint: await join.fingerprint, streamedAt, encodeCpuMs };
}

/** Records the unit "done" (its file is in place) and announces `unit_done`. */
async function recordWritten(
  scope: UnitScope,
  written: Written,
  file: string,
  outDir: string,
): Promise<UnitOutcome> {
  const { rows, bytes, quality, fingerprint } = written;
  const ms = scope.now() - scope.start;
  const outcome = unitOutcome(
    scope,
    { status: 'done', rows, bytes, ms },
    { outDir: path.resolve(outDir), details: quality, fingerprint },
  );
  await scope.ctx.withPgClient((c) => recordOutcome(c, outcome));
  // Load: streaming the join; compute: the encoder thread's CPU (beside the load, on its
  // own thread); write: from the stream's end to the file in place (load + write = ms).
  const load = written.streamedAt - scope.start;
  const split = { load, compute: written.encodeCpuMs, write: ms - load };
  scope.emit({
    type: 'unit_done',
    rows,
    bytes,
    ms,
    split,
    path: file,
    ...(quality ? { quality } : {}),
  });
  return outcome;
}

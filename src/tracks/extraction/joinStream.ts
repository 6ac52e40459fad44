import type pg from 'pg';
import { to as copyTo } from 'pg-copy-streams';
import {
  BinaryCopyDecoder,
  type DecodedBatch,
  type DecodedColumn,
} from '../../db/copy/binaryDecoder.js';
import type { Fingerprint, UnitInputs } from '../../db/fingerprint/fingerprint.js';
import { unitFingerprint } from '../freshness/readFingerprinted.js';
import { unitInputsResolver } from '../freshness/unitInputs.js';
import { SNAPSHOT_BEGIN } from '../io/readInSnapshot.js';
import type { UnitContext } from '../io/unitContext.js';
import type { UnitScope } from '../io/unitShell.js';
import { type ExtractColumn, extractionCopySql } from './joinQuery.js';
import { loadJoinCatalog } from './loadCatalog.js';

/** Rows per decoded batch and per Parquet row group: bounds memory whatever the pair's size. */
export const ROW_GROUP_ROWS = 32_768;

/** The join of a pair's five Phase-1 tables as it streams out of one snapshot. */
export interface JoinStream {
  /** The 81 columns after `ts_utc`, in docs/spec/SCHEMA.md order. */
  readonly columns: readonly ExtractColumn[];
  /** Joined rows with a finite key (what the file holds), counted in the same snapshot. */
  readonly total: number;
  /** Joined rows left out for a ±infinity key. */
  readonly infinite: number;
  /** The decoded rows in time order, a batch of `ROW_GROUP_ROWS` at a time. */
  readonly batches: AsyncGenerator<DecodedBatch>;
  /** Takes a batch's buffers back for a later batch, once the batch has been serialised. */
  recycle(columns: DecodedColumn[]): void;
  /** NaN / ±Infinity values per column among the rows decoded so far. */
  nonFinite(): Record<string, number>;
  /** The fingerprint of the five tables, taken in the same snapshot after the count. */
  readonly fingerprint: Promise<Fingerprint>;
}

/** Whether the unit's session is inside its COPY (then it cannot take another statement). */
interface CopyState {
  copying: boolean;
}

/**
 * Streams the pair's join to `use`: on one session, in a read-only REPEATABLE READ
 * snapshot, its binary COPY, decoded into typed arrays; its row count comes from a second
 * session in the same snapshot while the COPY starts. The snapshot ends with `use`.
 */
export async function withJoinStream<T>(
  scope: UnitScope,
  pair: string,
  use: (join: JoinStream) => Promise<T>,
): Promise<T> {
  return scope.ctx.withPgClient(async (client) => {
    await client.query(SNAPSHOT_BEGIN);
    // This process needs the other core to encode Parquet: parallel query workers only
    // compete with it (measured: the count 2-3x slower, the COPY no faster).
    await client.query('SET LOCAL max_parallel_workers_per_gather = 0');
    const state: CopyState = { copying: false };
    try {
      return await use(await openJoin(scope, client, pair, state));
    } finally {
      // A COPY left unread keeps the session busy: it is closed instead (on the error).
      if (!state.copying) await client.query('COMMIT').catch(() => {});
    }
  });
}

/** Starts the COPY (up to its first batch) while the row count runs, then returns both. */
async function openJoin(
  scope: UnitScope,
  client: pg.ClientBase,
  pair: string,
  state: CopyState,
): Promise<JoinStream> {
  const { ctx } = scope;
  const catalog = await loadJoinCatalog(client, ctx.settings, pair);
  const { count, copy, columns } = extractionCopySql(ctx.settings, pair, catalog);
  scope.emit({ type: 'stage', stage: 'load' });
  // The row count (the file's metadata, the progress total) comes from a second
  // connection in this transaction's snapshot, while this one starts the COPY.
  const snapshot: string = (await client.query('SELECT pg_export_snapshot() AS id')).rows[0].id;
  const inputs = await unitInputsResolver(client, ctx.settings)('extraction', pair);
  const { counting, fingerprint } = countInSnapshot(ctx, snapshot, count, inputs);
  const decoder = new BinaryCopyDecoder(
    ['timestamp', ...columns.map((c) => c.wire)],
    ROW_GROUP_ROWS,
  );
  const source = decodeCopy(client, copy, decoder, state);
  const first = source.next();
  first.catch(() => {});
  const { rows: total, infinite } = await counting;
  const batches = async function* (): AsyncGenerator<DecodedBatch> {
    for (let b = await first; !b.done; b = await source.next()) yield b.value;
  };
  return {
    columns,
    total,
    infinite,
    batches: batches(),
    fingerprint,
    recycle: (c) => decoder.recycle(c),
    // Field 0 is ts_utc; the decoder counted NaN / ±Infinity of every double it read.
    nonFinite: () =>
      Object.fromEntries(columns.map((c, i) => [c.spec.name, decoder.nonFinite[i + 1]!])),
  };
}

/** The COPY's rows as decoded batches; `state.copying` while the stream is open. */
async function* decodeCopy(
  client: pg.ClientBase,
  copy: string,
  decoder: BinaryCopyDecoder,
  state: CopyState,
): AsyncGenerator<DecodedBatch> {
  state.copying = true;
  const stream = client.query(copyTo(copy)) as unknown as AsyncIterable<Buffer>;
  for await (const chunk of stream) {
    decoder.push(chunk);
    for (let b = decoder.ready.shift(); b; b = decoder.ready.shift()) yield b;
  }
  state.copying = false;
  if (!decoder.end()) throw new Error('the COPY stream ended early');
  for (let b = decoder.ready.shift(); b; b = decoder.ready.shift()) yield b;
}

type Count = { rows: number; infinite: number };

/**
 * Rows of the join in the snapshot `snapshot` (exported by the unit's transaction), on a
 * connection of its own so that it runs beside the COPY: those the file gets, and those
 * left out for a ±infinity key. Then, on the same connection and snapshot (imported at
 * once: it lives only while the COPY's transaction does), the unit's fingerprint.
 */
function countInSnapshot(
  ctx: UnitContext,
  snapshot: string,
  count: string,
  inputs: UnitInputs,
): { counting: Promise<Count>; fingerprint: Promise<Fingerprint> } {
  let counted: (c: Count) => void = () => {};
  const counting = new Promise<Count>((resolve) => {
    counted = resolve;
  });
  const fingerprint = ctx.withPgClient(async (c) => {
    await c.query(SNAPSHOT_BEGIN);
    try {
      // A utility statement takes no parameters: the id is the server's, quoted by pg.
      await c.query(`SET TRANSACTION SNAPSHOT ${c.escapeLiteral(snapshot)}`);
      await c.query('SET LOCAL max_parallel_workers_per_gather = 0');
      counted((await c.query<Count>(count)).rows[0]!);
      return await unitFingerprint(c, inputs);
    } finally {
      await c.query('COMMIT').catch(() => {});
    }
  });
  // A failure before the count fails the count too (a settled promise ignores it).
  const failed = fingerprint.then(
    () => new Promise<Count>(() => {}),
    (err: unknown) => Promise.reject(err),
  );
  failed.catch(() => {});
  return { counting: Promise.race([counting, failed]), fingerprint };
}

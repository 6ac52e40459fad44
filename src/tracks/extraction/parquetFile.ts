import { randomBytes } from 'node:crypto';
import { open, readdir, rename, rm } from 'node:fs/promises';
import path from 'node:path';
import { AsyncByteQueue, type RecordBatch, RecordBatchStreamWriter } from 'apache-arrow';
import type {
  CompressionName,
  EncoderReply,
  EncoderRequest,
  EncoderStart,
} from './encoderMessages.js';
import { encoderThread } from './encoderThread.js';

export type { CompressionName } from './encoderMessages.js';

const TEMP_SUFFIX = '.tmp';

/** `.{name}.{pid}.{random}.tmp` beside the target: never mistaken for a finished file. */
function tempPath(target: string): string {
  return path.join(
    path.dirname(target),
    `.${path.basename(target)}.${process.pid}.${randomBytes(4).toString('hex')}${TEMP_SUFFIX}`,
  );
}

/** Removes leftovers of killed writers for `name` in `dir` (a unit runs one writer per pair). */
export async function removeStaleTempFiles(dir: string, name: string): Promise<number> {
  const entries = await readdir(dir).catch(() => [] as string[]);
  const stale = entries.filter((e) => e.startsWith(`.${name}.`) && e.endsWith(TEMP_SUFFIX));
  await Promise.all(stale.map((e) => rm(path.join(dir, e), { force: true })));
  return stale.length;
}

/** Batches handed to the encoder thread and not yet taken: bounds memory to ~2 row groups. */
const MAX_IN_FLIGHT = 2;

/** Collects the pieces of an Arrow IPC stream as the writer emits them, without copying. */
class IpcPieces extends AsyncByteQueue {
  readonly pieces: Uint8Array[] = [];
  length = 0;
  override write(value: Uint8Array): void {
    this.pieces.push(value);
    this.length += value.byteLength;
  }
}

/**
 * One batch's IPC stream copied into `buffer` when it is large enough (else a new one):
 * the buffers go to the encoder thread and come back, so a 20 MB buffer is not allocated
 * per row group (fresh memory costs more in page faults than the copy itself).
 */
function packBatch(
  batch: RecordBatch,
  buffer: ArrayBuffer | undefined,
): { buffer: ArrayBuffer; length: number } {
  const ipc = new IpcPieces();
  const writer = new RecordBatchStreamWriter();
  writer.reset(ipc);
  writer.write(batch);
  writer.finish();
  const out =
    buffer && buffer.byteLength >= ipc.length
      ? buffer
      : new ArrayBuffer(Math.ceil(ipc.length * 1.25));
  const view = new Uint8Array(out);
  let at = 0;
  for (const piece of ipc.pieces) {
    view.set(piece, at);
    at += piece.byteLength;
  }
  return { buffer: out, length: ipc.length };
}

/**
 * Writes `batches` as one Parquet file at `target`, one row group per `rowGroupRows`.
 * Streaming on two threads: this one converts batches to Arrow IPC while the process's
 * encoder thread (encoderThread.ts) encodes Parquet with parquet-wasm into a temporary
 * file; at most two batches are in flight, each in a buffer that comes back for a later
 * batch, so memory stays about two row groups whatever the pair's size. The file appears
 * only when complete: fsync, rename, fsync of the directory. On any error the temporary
 * file is removed and an existing target is left as it was.
 */
export async function writeParquetAtomically(opts: {
  target: string;
  batches: AsyncIterable<RecordBatch>;
  compression: CompressionName;
  metadata: Record<string, string>;
  rowGroupRows: number;
  /** Columns worth dictionary encoding (few distinct values, e.g. text). */
  dictionaryColumns?: readonly string[];
}): Promise<{ bytes: number; encodeCpuMs?: number }> {
  const tmp = tempPath(opts.target);
  const encoder = encoderThread();
  const expectReply = async <T extends 'ack' | 'done'>(
    type: T,
  ): Promise<Extract<EncoderReply, { type: T }>> => {
    const r = await encoder.reply();
    if (r.type === 'error') throw new Error(`Parquet encoding failed: ${r.message}`);
    if (r.type !== type) throw new Error(`Parquet encoder: expected ${type}, got ${r.type}`);
    return r as Extract<EncoderReply, { type: T }>;
  };
  encoder.busy(true);
  try {
    const start: EncoderStart = {
      type: 'start',
      path: tmp,
      compression: opts.compression,
      rowGroupRows: opts.rowGroupRows,
      metadata: opts.metadata,
      dictionaryColumns: opts.dictionaryColumns ?? [],
    };
    encoder.post(start);
    let inFlight = 0;
    const spare: ArrayBuffer[] = [];
    for await (const batch of opts.batches) {
      const { buffer, length } = packBatch(batch, spare.pop());
      encoder.post({ type: 'batch', buffer, length } satisfies EncoderRequest, [buffer]);
      if (++inFlight >= MAX_IN_FLIGHT) {
        spare.push((await expectReply('ack')).buffer);
        inFlight--;
      }
    }
    encoder.post({ type: 'end' } satisfies EncoderRequest);
    for (; inFlight > 0; inFlight--) await expectReply('ack');
    const done = await expectReply('done');
    await rename(tmp, opts.target);
    const dir = await open(path.dirname(opts.target), 'r');
    await dir.sync().finally(() => dir.close());
    return done.cpuMs === undefined
      ? { bytes: done.bytes }
      : { bytes: done.bytes, encodeCpuMs: done.cpuMs };
  } catch (err) {
    // Mid-file (or failed) the thread's state is unknown: it ends here, the next file
    // gets a new one. Terminated before the temporary file is removed: it may be writing.
    await encoder.terminate();
    await rm(tmp, { force: true });
    throw err;
  } finally {
    encoder.busy(false);
  }
}

// Worker thread: encodes Arrow IPC batches to Parquet with parquet-wasm and writes the
// bytes to a file, so the main thread can keep streaming rows from PostgreSQL meanwhile.
// One thread serves a process's units in turn. Protocol (messages from the parent), per
// file: start → batch* → end; replies: ack per batch, then done { bytes, cpuMs } or error.
import { readFileSync } from 'node:fs';
import { type FileHandle, open } from 'node:fs/promises';
import { parentPort } from 'node:worker_threads';
import {
  Compression,
  type RecordBatch as WasmRecordBatch,
  Table as WasmTable,
  transformParquetStream,
  WriterPropertiesBuilder,
} from 'parquet-wasm/node';
import type { EncoderRequest, EncoderStart } from './encoderMessages.js';
import { orderKeyValueMetadata } from './footerOrder.js';

const CODECS = {
  zstd: Compression.ZSTD,
  snappy: Compression.SNAPPY,
  none: Compression.UNCOMPRESSED,
};
const port = parentPort!;

/** Batches of the current file arrive as messages; the Parquet stream pulls them in order. */
const queue: Array<Uint8Array | null> = [];
let wake: (() => void) | undefined;

function next(): Promise<Uint8Array | null> {
  const item = queue.shift();
  if (item !== undefined) return Promise.resolve(item);
  return new Promise((resolve) => {
    wake = () => {
      wake = undefined;
      resolve(queue.shift() ?? null);
    };
  });
}

function properties({ compression, rowGroupRows, dictionaryColumns, metadata }: EncoderStart) {
  let builder = new WriterPropertiesBuilder()
    .setCompression(CODECS[compression])
    .setMaxRowGroupSize(rowGroupRows)
    // Dictionary pages only where values repeat (the text column): on columns of doubles
    // a dictionary is built, overflows and is thrown away — 2.5× slower, 25 % larger.
    .setDictionaryEnabled(false)
    .setCreatedBy('bqx-monitor')
    .setKeyValueMetadata(new Map(Object.entries(metadata)));
  for (const col of dictionaryColumns) builder = builder.setColumnDictionaryEnabled(col, true);
  return builder.build();
}

/** IPC stream → a wasm record batch, the wasm table freed at once. */
function importBatch(ipc: Uint8Array): WasmRecordBatch | undefined {
  const table = WasmTable.fromIPCStream(ipc);
  const batch = table.recordBatch(0);
  // Freed now, not when this thread's small heap next collects: until then the table
  // keeps the batch's arrays alive in wasm memory, which never shrinks.
  table.free();
  return batch;
}

/**
 * CPU time this thread has used, ms (Linux: /proc/thread-self; elsewhere undefined). The
 * encoding's own cost, whatever the process's other threads do meanwhile: the track's
 * compute in its unit's time split.
 */
function threadCpuMs(): number | undefined {
  try {
    const stat = readFileSync('/proc/thread-self/stat', 'utf8');
    const f = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return ((Number(f[11]) + Number(f[12])) * 1000) / 100;
  } catch {
    return undefined;
  }
}

async function encode(start: EncoderStart): Promise<{ bytes: number; cpuMs?: number }> {
  const cpu0 = threadCpuMs();
  // parquet-wasm ends its output normally when its input fails: remember the failure.
  let failed: unknown;
  async function* batches() {
    try {
      yield* decoded();
    } catch (err) {
      failed = err;
      throw err;
    }
  }
  async function* decoded() {
    for (let ipc = await next(); ipc; ipc = await next()) {
      const batch = importBatch(ipc);
      // Copied into wasm memory: the buffer goes back to the parent for a later batch.
      port.postMessage({ type: 'ack', buffer: ipc.buffer as ArrayBuffer }, [
        ipc.buffer as ArrayBuffer,
      ]);
      if (batch) yield batch;
    }
  }
  // Read as well as written: the footer is read back to fix its metadata's order.
  const fh = await open(start.path, 'wx+', 0o644);
  let bytes = 0;
  try {
    const out = await transformParquetStream(ReadableStream.from(batches()), properties(start));
    for await (const chunk of out as unknown as AsyncIterable<Uint8Array>) {
      await fh.write(chunk);
      bytes += chunk.length;
    }
    if (failed !== undefined) throw failed;
    await orderFooterMetadata(fh, bytes, Object.keys(start.metadata));
    await fh.sync();
  } finally {
    await fh.close();
  }
  const cpu1 = threadCpuMs();
  return cpu0 === undefined || cpu1 === undefined ? { bytes } : { bytes, cpuMs: cpu1 - cpu0 };
}

/** Reads exactly `length` bytes at `position` (a short read is retried, EOF is an error). */
async function readAt(fh: FileHandle, length: number, position: number): Promise<Buffer> {
  const buf = Buffer.alloc(length);
  for (let got = 0; got < length; ) {
    const { bytesRead } = await fh.read(buf, got, length - got, position + got);
    if (bytesRead === 0) throw new Error('Parquet file shorter than its footer says');
    got += bytesRead;
  }
  return buf;
}

/**
 * Rewrites the file's footer with its key-value metadata in a fixed order (ours as
 * given, then the writer's own): parquet-wasm's order changes from run to run.
 */
async function orderFooterMetadata(fh: FileHandle, size: number, keys: readonly string[]) {
  const tail = await readAt(fh, 8, size - 8);
  if (tail.toString('latin1', 4) !== 'PAR1') throw new Error('Parquet file has no footer');
  const length = tail.readUInt32LE(0);
  const at = size - 8 - length;
  const ordered = orderKeyValueMetadata(await readAt(fh, length, at), keys);
  if (ordered) await fh.write(ordered, 0, ordered.length, at);
}

port.on('message', (msg: EncoderRequest) => {
  switch (msg.type) {
    case 'start':
      encode(msg).then(
        (done) => port.postMessage({ type: 'done', ...done }),
        (err: Error) => port.postMessage({ type: 'error', message: err.message }),
      );
      return;
    case 'batch':
      queue.push(new Uint8Array(msg.buffer, 0, msg.length));
      wake?.();
      return;
    case 'end':
      queue.push(null);
      wake?.();
      return;
  }
});

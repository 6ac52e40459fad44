import { Worker } from 'node:worker_threads';
import type { EncoderReply, EncoderRequest } from './encoderMessages.js';

/**
 * The Parquet encoder thread (parquetWorker.ts) as the parent sees it: requests out,
 * replies as a queue awaited one at a time. One thread serves a process's units in
 * turn, so the second pair finds parquet-wasm's code compiled and its memory grown; a
 * thread that failed or was interrupted mid-file is terminated and never reused.
 */
export class EncoderThread {
  private readonly worker = new Worker(new URL('./parquetWorker.js', import.meta.url));
  private readonly queue: EncoderReply[] = [];
  private waiting: ((r: EncoderReply) => void) | undefined;
  private broken = false;

  constructor() {
    this.worker.on('message', (r: EncoderReply) => this.push(r));
    this.worker.on('error', (err) => this.fail(err.message));
    this.worker.on('exit', (code) => this.fail(`Parquet encoder exited (${code})`));
    // Idle, it does not keep the process alive; `busy` holds it while a file is written.
    this.worker.unref();
  }

  /** The thread's id (diagnostics: which thread a unit used). */
  get threadId(): number {
    return this.worker.threadId;
  }

  /** Usable for another file. */
  get healthy(): boolean {
    return !this.broken;
  }

  post(msg: EncoderRequest, transfer?: ArrayBuffer[]): void {
    this.worker.postMessage(msg, transfer);
  }

  /** The next reply, in order. */
  reply(): Promise<EncoderReply> {
    const r = this.queue.shift();
    if (r) return Promise.resolve(r);
    return new Promise((resolve) => (this.waiting = resolve));
  }

  /** While a file is being written the thread keeps the process's event loop alive. */
  busy(on: boolean): void {
    if (on) this.worker.ref();
    else this.worker.unref();
  }

  /** Ends the thread (after a failure or an interrupted file): it is not reused. */
  async terminate(): Promise<void> {
    this.broken = true;
    if (shared === this) shared = undefined;
    await this.worker.terminate();
  }

  private push(r: EncoderReply): void {
    const w = this.waiting;
    if (w) {
      this.waiting = undefined;
      w(r);
    } else this.queue.push(r);
  }

  private fail(message: string): void {
    if (this.broken) return;
    this.broken = true;
    if (shared === this) shared = undefined;
    this.push({ type: 'error', message });
  }
}

let shared: EncoderThread | undefined;

/**
 * The process's encoder thread, started on first use. Calling it early (when a unit
 * starts) lets the thread load parquet-wasm while PostgreSQL prepares the join.
 */
export function encoderThread(): EncoderThread {
  if (!shared?.healthy) shared = new EncoderThread();
  return shared;
}

import os from 'node:os';
import { Worker } from 'node:worker_threads';
import { formatMonth } from '../../config/months.js';
import { countBars } from './generate/m1Bars.js';
import type { SeedPlan } from './presets.js';
import type { SeedProgress, SeedThreadData, ToParent, ToThread } from './seedMessages.js';

/** Memory a seeder thread needs per bar of its pair: the bars, one table's columns, buffers. */
const BYTES_PER_BAR = 1200;

/**
 * Threads worth starting for `pairs` pairs of `barsPerPair` bars: one per core
 * (`os.availableParallelism()`: generation is CPU-bound and the server's COPY work runs
 * in its own processes beside it), no more than there are pairs, and no more than half
 * the free memory holds.
 */
export function seedThreadCount(pairs: number, barsPerPair: number): number {
  const byMemory = Math.floor((0.5 * os.freemem()) / Math.max(1, barsPerPair * BYTES_PER_BAR));
  return Math.max(1, Math.min(os.availableParallelism(), pairs, byMemory));
}

/** Threads worth starting for `plan`: `seedThreadCount` for its pairs and their bars. */
export function threadsForPlan(plan: SeedPlan): number {
  const bars = countBars(formatMonth(plan.data.from), formatMonth(plan.data.to));
  return seedThreadCount(plan.pairs.length, bars);
}

/** What the threads of one seeding share: the pairs left, the bars loaded, the first failure. */
interface SeedRun {
  readonly queue: Array<{ pair: string; index: number }>;
  readonly indexOf: ReadonlyMap<string, number>;
  readonly workers: Worker[];
  readonly onProgress: (p: SeedProgress) => void;
  bars: number;
  failure: Error | undefined;
}

/**
 * Loads `data.plan`'s pairs in `threads` worker threads, each pair in one transaction on
 * its thread's own connection; pairs are handed out as threads become free. The first
 * failure stops the rest: threads are terminated, which closes their sessions and rolls
 * back the pairs they were loading (pairs already committed stay). So does `signal`.
 * Returns the bars loaded.
 */
export async function seedPairsInThreads(
  data: SeedThreadData,
  threads: number,
  onProgress: (p: SeedProgress) => void,
  signal?: AbortSignal,
): Promise<number> {
  const queue = data.plan.pairs.map((pair, index) => ({ pair, index }));
  const indexOf = new Map(queue.map((q) => [q.pair, q.index]));
  const run: SeedRun = { queue, indexOf, workers: [], onProgress, bars: 0, failure: undefined };
  const onAbort = () => stopAll(run, new Error('seeding interrupted'));
  signal?.addEventListener('abort', onAbort, { once: true });
  const exits: Array<Promise<void>> = [];
  for (let i = 0; i < Math.max(1, Math.min(threads, queue.length)); i++) {
    exits.push(startThread(run, data));
  }
  if (signal?.aborted) onAbort();
  await Promise.all(exits);
  signal?.removeEventListener('abort', onAbort);
  if (run.failure) throw run.failure;
  if (queue.length > 0) throw new Error('seeder threads exited before every pair was loaded');
  return run.bars;
}

/** Keeps the first failure and terminates every thread (their open pairs roll back). */
function stopAll(run: SeedRun, err: Error): void {
  run.failure ??= err;
  for (const w of run.workers) void w.terminate();
}

/**
 * Starts a seeder thread that takes pairs from the run's queue until none is left (or
 * the run failed), then closes. Resolves when it has exited.
 */
function startThread(run: SeedRun, data: SeedThreadData): Promise<void> {
  const w = new Worker(new URL('./pairThread.js', import.meta.url), { workerData: data });
  run.workers.push(w);
  let loading: string | undefined;
  const next = () => {
    const item = run.failure ? undefined : run.queue.shift();
    loading = item?.pair;
    w.postMessage(
      (item ? { type: 'pair', pair: item.pair } : { type: 'close' }) satisfies ToThread,
    );
  };
  w.on('message', (m: ToParent) => onThreadMessage(run, m, next));
  const exited = new Promise<void>((resolve) => {
    w.on('error', (err) => stopAll(run, err));
    w.on('exit', () => {
      if (loading !== undefined)
        stopAll(run, new Error(`seeder thread exited while loading ${loading}`));
      resolve();
    });
  });
  next();
  return exited;
}

/** A thread's message: progress, a pair committed (it gets the next), or a failure. */
function onThreadMessage(run: SeedRun, m: ToParent, next: () => void): void {
  const pairIndex = run.indexOf.get(m.pair)!;
  switch (m.type) {
    case 'table':
      run.onProgress({ kind: 'table', pair: m.pair, pairIndex, table: m.table, rows: m.rows });
      break;
    case 'pair_done':
      run.bars += m.bars;
      run.onProgress({ kind: 'pair', pair: m.pair, pairIndex, bars: m.bars });
      next();
      break;
    case 'pair_failed':
      stopAll(run, Object.assign(new Error(`seeding ${m.pair}: ${m.message}`), { code: m.code }));
      break;
  }
}

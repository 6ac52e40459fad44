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
  let bars = 0;
  let failure: Error | undefined;
  const workers: Worker[] = [];
  const exits: Array<Promise<void>> = [];
  const stopAll = (err: Error) => {
    failure ??= err;
    for (const w of workers) void w.terminate();
  };
  const onAbort = () => stopAll(new Error('seeding interrupted'));
  signal?.addEventListener('abort', onAbort, { once: true });
  for (let i = 0; i < Math.max(1, Math.min(threads, queue.length)); i++) {
    const w = new Worker(new URL('./pairThread.js', import.meta.url), { workerData: data });
    workers.push(w);
    let loading: string | undefined;
    const next = () => {
      const item = failure ? undefined : queue.shift();
      loading = item?.pair;
      w.postMessage(
        (item ? { type: 'pair', pair: item.pair } : { type: 'close' }) satisfies ToThread,
      );
    };
    w.on('message', (m: ToParent) => {
      switch (m.type) {
        case 'table':
          onProgress({
            kind: 'table',
            pair: m.pair,
            pairIndex: indexOf.get(m.pair)!,
            table: m.table,
            rows: m.rows,
          });
          break;
        case 'pair_done':
          bars += m.bars;
          onProgress({ kind: 'pair', pair: m.pair, pairIndex: indexOf.get(m.pair)!, bars: m.bars });
          next();
          break;
        case 'pair_failed':
          stopAll(
            Object.assign(new Error(`seeding ${m.pair}: ${m.message}`), {
              code: m.code,
            }),
          );
          break;
      }
    });
    exits.push(
      new Promise<void>((resolve) => {
        w.on('error', (err) => stopAll(err));
        w.on('exit', () => {
          if (loading !== undefined)
            stopAll(new Error(`seeder thread exited while loading ${loading}`));
          resolve();
        });
      }),
    );
    next();
  }
  if (signal?.aborted) onAbort();
  await Promise.all(exits);
  signal?.removeEventListener('abort', onAbort);
  if (failure) throw failure;
  if (queue.length > 0) throw new Error('seeder threads exited before every pair was loaded');
  return bars;
}

import os from 'node:os';
import type { TrackName } from '../../tracks/protocol/events.js';
import type { WorkerCommand } from './supervisorOptions.js';

/** Set by the supervisor on its children: end when the parent goes away (stdin closes). */
export const SUPERVISED_ENV = 'BQX_MONITOR_SUPERVISED';

/**
 * glibc settings of every worker (`npm run bench` runs Track 3 with them):
 * - fewer malloc arenas and mmap for large blocks keep a worker's RSS from growing with
 *   fragmentation;
 * - `glibc.malloc.hugetlb=1` asks for transparent huge pages on malloc's memory: Track 3
 *   moves tens of MB per row group through fresh blocks, a page fault per 4 KB page
 *   without it (docs/decisions.md, "Malloc settings"). It does nothing where THP is off.
 *   Tunables the user already sets come after ours and so win.
 */
export function workerMallocEnv(env: NodeJS.ProcessEnv = process.env): Record<string, string> {
  const tunables = ['glibc.malloc.hugetlb=1', env['GLIBC_TUNABLES']].filter(Boolean).join(':');
  return { MALLOC_ARENA_MAX: '2', MALLOC_MMAP_THRESHOLD_: '131072', GLIBC_TUNABLES: tunables };
}

/**
 * The command line of a track's worker: the CLI at `entry` (this program's main module),
 * `worker --track T --until-empty`, with the run's config and output directory; the
 * database URL travels in the environment (never on a command line others can read with
 * `ps`).
 */
export function workerCommand(
  track: TrackName,
  o: { entry: string; dbUrl: string | undefined; config: string | undefined; outDir: string },
): WorkerCommand {
  const args = [o.entry];
  if (o.config) args.push('--config', o.config);
  args.push('--out', o.outDir, 'worker', '--track', track, '--until-empty');
  const env: Record<string, string> = { [SUPERVISED_ENV]: '1', ...workerMallocEnv() };
  if (o.dbUrl) env['DATABASE_URL'] = o.dbUrl;
  return { file: process.execPath, args, env };
}

/**
 * How the run shares the machine by default: as many busy workers as cores across all
 * tracks (Tracks 1–2 are CPU-bound JavaScript; Track 3 keeps a core busy between its COPY
 * decoding and its encoder thread), each track allowed up to all of them.
 */
export function defaultBudget(cores = os.availableParallelism()): number {
  return Math.max(1, cores);
}

export { PRIOR_UNIT_MS } from '../state/estimate.js';

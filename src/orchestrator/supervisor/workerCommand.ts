import os from 'node:os';
import type { TrackName } from '../../tracks/protocol/events.js';
import type { WorkerCommand } from './supervisor.js';

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

/** Worker processes per track by default: the machine's cores shared by the three tracks. */
export function defaultWorkers(cores = os.availableParallelism()): Record<TrackName, number> {
  const monthly = Math.max(1, Math.floor(cores / 2));
  return {
    bollinger: monthly,
    regression: monthly,
    extraction: Math.max(1, Math.floor(cores / 4)),
  };
}

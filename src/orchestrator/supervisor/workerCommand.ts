import os from 'node:os';
import { fileURLToPath } from 'node:url';
import { SUPERVISED_ENV } from '../../cli/commands/worker.js';
import type { TrackName } from '../../tracks/protocol/events.js';
import type { WorkerCommand } from './supervisor.js';

/** This package's CLI entry point (the workers are `bqx-monitor worker`). */
const MAIN = fileURLToPath(new URL('../../cli/main.js', import.meta.url));

/**
 * glibc settings of every worker: fewer malloc arenas and mmap for large blocks keep a
 * worker's RSS from growing with fragmentation (`npm run bench` runs Track 3 with them).
 */
export const WORKER_MALLOC_ENV = { MALLOC_ARENA_MAX: '2', MALLOC_MMAP_THRESHOLD_: '131072' };

/**
 * The command line of a track's worker: this same CLI, `worker --track T --until-empty`,
 * with the run's config and output directory; the database URL travels in the
 * environment (never on a command line others can read with `ps`).
 */
export function workerCommand(
  track: TrackName,
  o: { dbUrl: string | undefined; config: string | undefined; outDir: string },
): WorkerCommand {
  const args = [MAIN];
  if (o.config) args.push('--config', o.config);
  args.push('--out', o.outDir, 'worker', '--track', track, '--until-empty');
  const env: Record<string, string> = { [SUPERVISED_ENV]: '1', ...WORKER_MALLOC_ENV };
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

import type { Context } from '../../db/context.js';
import { workerCommand } from '../../orchestrator/supervisor/workerCommand.js';
import type { WorkerCommand } from '../../orchestrator/supervisor/supervisor.js';
import type { TrackName } from '../../tracks/protocol/events.js';
import { configFile, type GlobalOptions } from '../context.js';
import { CLI_ENTRY } from '../entry.js';

/** How the run's supervisor starts a track's worker: this CLI's `worker` command. */
export function workerCommandFor(
  ctx: Context,
  g: GlobalOptions,
): (track: TrackName) => WorkerCommand {
  return (track) =>
    workerCommand(track, {
      entry: CLI_ENTRY,
      dbUrl: ctx.db.childUrl,
      config: configFile(g),
      outDir: ctx.outDir,
    });
}

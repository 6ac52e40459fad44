import { accepted, type CommandResult, refused } from '../commandResult.js';
import type { TrackName } from '../../tracks/protocol/events.js';
import { ackCommand, type ControlCommand, pendingCommands } from '../live/controlChannel.js';
import { enqueueUnits } from '../queue/jobQueue.js';
import type { RunWorkers, StopMode } from './lifecycle.js';
import type { RunParts } from './runParts.js';

/** The workers' side of the commands (the Supervisor). */
export interface ControlledWorkers extends RunWorkers {
  pause(track: TrackName): CommandResult;
  resume(track: TrackName): CommandResult;
  pauseAll(): CommandResult;
  resumeAll(): CommandResult;
  restart(track: TrackName): Promise<CommandResult>;
  addWorker(track: TrackName): CommandResult;
  removeWorker(track: TrackName): CommandResult;
  retried(track: TrackName): void;
}

/** What the commands work on: the run's parts, its workers, and its stop. */
export interface CommandParts extends RunParts {
  stop(mode: StopMode): void;
}

/** Carries out one command of the control channel. */
export async function execute(p: CommandParts, cmd: ControlCommand): Promise<CommandResult> {
  if (cmd.action === 'stop') {
    p.stop('graceful');
    return accepted('stopping: running units finish first');
  }
  if (cmd.action === 'stop_now') {
    p.stop('now');
    return accepted('stopping now');
  }
  const sup = p.lifecycle.running;
  if (!sup) return refused('the run is not running yet');
  const track = cmd.track;
  switch (cmd.action) {
    case 'pause':
      return track ? sup.pause(track) : sup.pauseAll();
    case 'resume':
      return track ? sup.resume(track) : sup.resumeAll();
  }
  if (!track) return refused('it needs a track');
  switch (cmd.action) {
    case 'restart':
      void sup.restart(track);
      return accepted('restarting (workers finish their unit first)');
    case 'add_worker':
      return sup.addWorker(track);
    case 'remove_worker':
      return sup.removeWorker(track);
    case 'retry':
      return retryFailed(p, sup, track);
  }
}

/**
 * `R`: the track's units that failed for good this run go back to the queue with fresh
 * attempts (as a new run would retry them), no longer count as failed, and a track that
 * had ended gets workers again.
 */
async function retryFailed(
  p: CommandParts,
  sup: ControlledWorkers,
  track: TrackName,
): Promise<CommandResult> {
  if (p.lifecycle.stopRequest) return refused('the run is stopping');
  const units = [...p.events.state.tracks[track].failedUnits];
  if (units.length === 0) return refused('none of its units failed for good in this run');
  const jobs = units.map((unit) => ({ track, unit }));
  await p.ctx.db.withPgClient((c) => enqueueUnits(c, jobs, p.ctx.settings.run.maxAttempts));
  p.events.dispatch({ type: 'units_retried', at: Date.now(), track, units });
  sup.retried(track);
  return accepted(`${units.length} failed unit(s) back in the queue with fresh attempts`);
}

/**
 * Takes the run's pending commands (on the link's NOTIFY and every second), carries them
 * out in order and acknowledges each; one pass at a time. While the database is away the
 * commands wait in their table.
 */
export class CommandTaker {
  private taking = false;

  constructor(private readonly p: CommandParts) {}

  async take(): Promise<void> {
    const { link, runId, events } = this.p;
    if (this.taking || link.lostSince !== undefined) return;
    this.taking = true;
    try {
      const commands = await link.withControl((c) => pendingCommands(c, runId));
      for (const cmd of commands) {
        const { text } = await execute(this.p, cmd);
        await link.withControl((c) => ackCommand(c, cmd.id, text));
        const { id, action, track, issuedBy: by } = cmd;
        events.dispatch({ type: 'command', at: Date.now(), id, action, track, by, result: text });
      }
    } catch {
      // Unreachable database: the commands wait in their table; the link retries.
    } finally {
      this.taking = false;
    }
  }
}

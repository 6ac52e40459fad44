import type { TrackName } from '../../tracks/protocol/events.js';
import { accepted, type CommandResult, refused } from '../commandResult.js';
import { isLive, type TrackStatus } from '../state/trackMachine.js';
import { busyWorkers } from './planSpawns.js';
import { SupervisorCore, type TrackSlot } from './supervisorCore.js';
import type { WorkerProcess } from './workerProcess.js';

export type {
  Demand,
  Settled,
  StopMode,
  SupervisorOptions,
  WorkerCommand,
} from './supervisorOptions.js';
export { defaultBackoff } from './supervisorOptions.js';

/**
 * The supervisor with its control actions (pause, resume, restart, `+`, `-`, `R`), each
 * answering with a CommandResult: what it did, or `refused: <why>`. Running the workers
 * is SupervisorCore's (supervisorCore.ts).
 */
export class Supervisor extends SupervisorCore {
  /** Pauses a track: SIGSTOP to its workers (instant; nothing is lost). */
  pause(track: TrackName): CommandResult {
    const slot = this.slot(track);
    if (this.stoppingAll) return refused('the run is stopping');
    if (slot.machine.status === 'paused') return refused('already paused');
    if (!this.setStatus(slot, 'paused', 'paused')) return refused(`it is ${slot.machine.status}`);
    for (const c of this.childrenOf(track)) this.signal(c, 'SIGSTOP');
    // Its cores go to the tracks still running meanwhile.
    this.rebalance();
    return accepted('paused');
  }

  /** Resumes a paused track (SIGCONT). */
  resume(track: TrackName): CommandResult {
    const slot = this.slot(track);
    if (slot.machine.status !== 'paused')
      return refused(`not paused: it is ${slot.machine.status}`);
    const live = this.childrenOf(track);
    const to: TrackStatus =
      live.length > 0 ? 'running' : slot.timers.size > 0 ? 'restarting' : 'waiting';
    this.setStatus(slot, to, 'resumed');
    for (const c of live) this.signal(c, 'SIGCONT');
    // Its slots come back: the workers that borrowed them finish their unit and leave.
    const back = this.takeBackLent(track);
    if (back === 0) return accepted('resumed');
    return accepted(`resumed; ${back} worker(s) of other tracks leave after their unit`);
  }

  /** Pauses every track that can be paused. */
  pauseAll(): CommandResult {
    return this.eachTrack((t) => this.pause(t));
  }

  /** Resumes every paused track. */
  resumeAll(): CommandResult {
    return this.eachTrack((t) => this.resume(t));
  }

  /** Each track's answer (`bollinger: paused; …`); refused when every track refused. */
  private eachTrack(fn: (t: TrackName) => CommandResult): CommandResult {
    const results = [...this.slots.keys()].map((t) => ({ t, r: fn(t) }));
    if (results.some(({ r }) => r.ok))
      return accepted(results.map(({ t, r }) => `${t}: ${r.text}`).join('; '));
    const why = (r: CommandResult) => r.text.replace(/^refused: /, '');
    return refused(results.map(({ t, r }) => `${t}: ${why(r)}`).join('; '));
  }

  /**
   * Restarts a track: its workers finish their current unit and exit (SIGTERM), then
   * fresh ones start. Finished units are in the results table and are not redone. Also
   * revives a track that gave up after too many crashes.
   */
  async restart(track: TrackName): Promise<CommandResult> {
    const slot = this.slot(track);
    if (this.stoppingAll) return refused('the run is stopping');
    if (slot.drainingForRestart) return refused('already restarting');
    if (slot.workers === 0) return refused('it has no workers to restart (nothing to do)');
    if (!this.setStatus(slot, 'restarting', 'restarting (workers finish their unit first)'))
      return refused(`not restarted: it is ${slot.machine.status}`);
    slot.drainingForRestart = true;
    for (const t of slot.timers) clearTimeout(t);
    slot.timers.clear();
    await Promise.all(this.childrenOf(track).map((c) => this.stopChild(c, 'graceful')));
    slot.drainingForRestart = false;
    slot.crashes = 0;
    if (this.stoppingAll) {
      this.checkSettled(slot);
      return refused('the run is stopping');
    }
    // Its own slots first: at least one worker, then what the budget gives.
    this.spawn(track);
    this.rebalance();
    this.checkSettled(slot);
    return accepted('restarted');
  }

  /** A track's workers that are to stay: alive and not asked to stop. */
  private staying(slot: TrackSlot): WorkerProcess[] {
    return this.childrenOf(slot.track).filter((c) => !c.stopping);
  }

  /** Publishes a track's new worker limit (it holds for the run, restarts included). */
  private setWorkers(slot: TrackSlot, workers: number): void {
    slot.workers = workers;
    this.o.dispatch({
      type: 'track_workers',
      at: this.now(),
      track: slot.track,
      workers,
      budget: this.budget(),
    });
  }

  /** Why a track takes no `+` or `-` now, or undefined. */
  private notAdjustable(slot: TrackSlot): CommandResult | undefined {
    if (this.stoppingAll) return refused('the run is stopping');
    const status = slot.machine.status;
    if (!isLive(status)) return refused(`it is ${status}`);
    if (slot.drainingForRestart) return refused('it is restarting');
    return undefined;
  }

  /**
   * One more worker for a track, started now (`+`): an explicit override, as the user asked
   * for it. Past the track's limit or the run's budget, each is raised by one for the rest
   * of the run (a `-` gives the budget back). Refused only when it cannot work: the track
   * is not running, or no unit waits for another worker.
   */
  addWorker(track: TrackName): CommandResult {
    const slot = this.slot(track);
    if (!this.stoppingAll && slot.machine.status === 'paused')
      return refused('it is paused ("p" resumes it)');
    const no = this.notAdjustable(slot);
    if (no) return no;
    const now = this.staying(slot).length + slot.timers.size;
    const units = this.o.demand?.(track).units;
    if (units !== undefined && units <= now)
      return refused(`no unit waits for another worker (${units} left for ${now})`);
    const full = busyWorkers(this.loads()) >= this.budget();
    if (full) this.raisedBy++;
    this.setWorkers(slot, Math.max(slot.workers, now + 1));
    this.spawn(track);
    const over = full ? `; ${this.budget()} busy at most this run (raised by "+")` : '';
    return accepted(`${now + 1} worker(s) now${over}`);
  }

  /**
   * One worker fewer for a track (`-`): a worker due back after a crash is not restarted,
   * else one finishes its current unit and exits (an idle one first). The track keeps at
   * least one worker (`p` pauses it).
   */
  removeWorker(track: TrackName): CommandResult {
    const slot = this.slot(track);
    const no = this.notAdjustable(slot);
    if (no) return no;
    const staying = this.staying(slot);
    const now = staying.length + slot.timers.size;
    if (now <= 1) return refused(`${now} worker(s), its least ("p" pauses the track)`);
    // A budget a `+` raised is given back first.
    if (this.raisedBy > 0) this.raisedBy--;
    this.setWorkers(slot, now - 1);
    const [timer] = slot.timers;
    if (timer) {
      clearTimeout(timer);
      slot.timers.delete(timer);
      this.checkSettled(slot);
      return accepted(`${now - 1} worker(s) now (a crashed worker is not restarted)`);
    }
    const idle = staying.find((c) => c.open.size === 0);
    const child = idle ?? staying.at(-1)!;
    void this.stopChild(child, 'graceful');
    const when = idle ? 'now (it had no unit)' : 'after its current unit';
    return accepted(`${now - 1} worker(s) now: worker ${child.pid} stops ${when}`);
  }

  /**
   * Units of the track went back to the queue (`R`): a track that had ended (failed, or
   * complete) starts workers again; a live one gets them as the budget allows.
   */
  retried(track: TrackName): CommandResult {
    const status = this.slot(track).machine.status;
    if (status === 'failed' || status === 'complete') {
      void this.restart(track);
      return accepted('restarting its workers');
    }
    this.rebalance();
    return accepted('its units wait for a free worker slot');
  }
}

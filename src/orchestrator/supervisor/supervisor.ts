import { execa, type ResultPromise } from 'execa';
import type { TrackName, WorkerEvent } from '../../tracks/protocol/events.js';
import { LineSplitter } from '../lineSplitter.js';
import { parseLine } from '../parseLine.js';
import { OutputRate } from './outputRate.js';
import type { RunEvent } from '../state/events.js';
import { criticalTrack } from '../state/estimate.js';
import { isLive, TrackMachine, type TrackStatus } from '../state/trackMachine.js';

/** How to start one worker process of a track. */
export interface WorkerCommand {
  readonly file: string;
  readonly args: readonly string[];
  readonly env?: Readonly<Record<string, string>>;
}

/** How a track whose workers ran out of units ended, as the run's counts say. */
export interface Settled {
  readonly status: 'complete' | 'failed';
  readonly reason: string;
}

/** A track's work as the scheduler weighs it: worker-ms left, and units not yet taken. */
export interface Demand {
  readonly work: number;
  readonly units: number;
}

export interface SupervisorOptions {
  /** Per track, at most this many workers (0: nothing to do). */
  readonly tracks: ReadonlyArray<{ readonly track: TrackName; readonly workers: number }>;
  /**
   * At most this many busy workers across all tracks (paused ones do not count); default:
   * every track's maximum at once.
   */
  readonly budget?: number;
  /** A track's work left, for the scheduler's choice (default: as much as it can take). */
  readonly demand?: (track: TrackName) => Demand;
  readonly command: (track: TrackName) => WorkerCommand;
  /** Crashes of a track's workers tolerated before the track is marked failed. */
  readonly maxRestarts: number;
  /** Delay before restarting after the n-th crash (n from 1). */
  readonly backoffMs?: (n: number) => number;
  /** Time a worker gets to finish its unit after SIGTERM before SIGKILL. */
  readonly graceMs?: number;
  readonly dispatch: (ev: RunEvent) => void;
  /**
   * A worker died without being asked to, or was stopped at once: its queue locks are to be
   * released (if it did not give them back itself). Never throws.
   */
  readonly onWorkerDied?: (track: TrackName, pid: number) => void;
  /**
   * A unit ended after time paused (its worker was stopped): `activeMs` is its time at
   * work, which its event now carries; the recorded outcome is to be corrected too.
   */
  readonly onPausedUnit?: (track: TrackName, unit: string, activeMs: number) => void;
  /** The end of a track whose workers left because its queue drained (default: complete). */
  readonly settle?: (track: TrackName) => Settled;
  /** False while new workers could not work (the database is unreachable): respawns wait. */
  readonly canSpawn?: () => boolean;
  readonly now?: () => number;
}

/** Events that end a unit (a stage of it still held back is then stale). */
const ENDS = new Set<WorkerEvent['type']>([
  'unit_done',
  'unit_empty',
  'unit_failed',
  'unit_interrupted',
]);

/** Exponential backoff from 1 s, capped at 30 s. */
export const defaultBackoff = (n: number): number => Math.min(30_000, 1000 * 2 ** (n - 1));

/** How `stopAll` stops the workers. */
export type StopMode = 'graceful' | 'now';

interface Child {
  readonly track: TrackName;
  readonly pid: number;
  readonly proc: ResultPromise;
  /** Set when the supervisor asked it to stop: its exit is then expected. */
  stopping: boolean;
  /** Told to stop at once (`stopAll('now')`). */
  stoppedNow: boolean;
  /** Units it started and has not finished (with when they started): exiting with one open is a crash. */
  readonly open: Map<string, number>;
  /** When it was stopped (SIGSTOP) and continued: its paused time is not unit time. */
  readonly stops: Array<{ from: number; to: number | undefined }>;
  readonly exited: Promise<void>;
}

interface TrackSlot {
  readonly track: TrackName;
  workers: number;
  readonly machine: TrackMachine;
  crashes: number;
  /** Respawns scheduled after crashes (a timer each). */
  readonly timers: Set<NodeJS.Timeout>;
  /** A restart is stopping the old workers: their exits do not settle the track. */
  restarting: boolean;
}

/**
 * Runs each track's worker processes and owns each track's state machine
 * (state/trackMachine.ts): parses the workers' stdout into events, pauses and resumes them
 * (SIGSTOP / SIGCONT), restarts them (graceful stop, respawn), restarts crashed ones with
 * exponential backoff up to a limit, and stops everything (SIGTERM; SIGKILL after the
 * grace period, through execa's `forceKillAfterDelay`). Spawning happens in this module
 * only. Children get a stdin pipe: if this process dies, even by SIGKILL, their stdin ends
 * and they finish their unit and exit, so nothing is left running.
 */
export class Supervisor {
  private readonly children = new Set<Child>();
  private readonly slots = new Map<TrackName, TrackSlot>();
  private stoppingAll = false;
  private resolveDone!: () => void;
  /** Resolves once every worker has exited and no restart is pending. */
  readonly done: Promise<void>;

  constructor(private readonly o: SupervisorOptions) {
    this.done = new Promise((r) => {
      this.resolveDone = r;
    });
    for (const t of o.tracks) {
      this.slots.set(t.track, {
        track: t.track,
        workers: t.workers,
        machine: new TrackMachine(),
        crashes: 0,
        timers: new Set(),
        restarting: false,
      });
    }
  }

  private now(): number {
    return this.o.now?.() ?? Date.now();
  }

  private slot(track: TrackName): TrackSlot {
    const s = this.slots.get(track);
    if (!s) throw new Error(`no such track: ${track}`);
    return s;
  }

  /** Moves a track's machine and publishes the change; false when the move is not allowed. */
  private setStatus(slot: TrackSlot, to: TrackStatus, reason: string): boolean {
    if (!slot.machine.transition(to)) return false;
    this.o.dispatch({ type: 'track_state', at: this.now(), track: slot.track, status: to, reason });
    return true;
  }

  private childrenOf(track: TrackName): Child[] {
    return [...this.children].filter((c) => c.track === track);
  }

  /**
   * Starts the tracks: one with nothing to do is complete at once; the others get workers
   * as the budget allows, the longest work first.
   */
  start(): void {
    for (const slot of this.slots.values()) {
      if (slot.workers === 0) this.setStatus(slot, 'complete', 'nothing to do');
    }
    this.rebalance();
    for (const slot of this.slots.values()) {
      if (slot.machine.status === 'waiting')
        this.o.dispatch({
          type: 'track_control',
          at: this.now(),
          track: slot.track,
          action: 'note',
          message: `waiting for a free worker slot (${this.budget()} busy at most)`,
        });
    }
    this.checkDone();
  }

  private budget(): number {
    return this.o.budget ?? [...this.slots.values()].reduce((n, s) => n + s.workers, 0);
  }

  /** Workers that hold a slot: alive, or due back after a crash, and not paused. */
  private busy(): number {
    let n = 0;
    for (const slot of this.slots.values()) {
      if (slot.machine.status === 'paused') continue;
      n += this.childrenOf(slot.track).length + slot.timers.size;
    }
    return n;
  }

  /**
   * Gives free worker slots to the tracks that can use one: each to the track whose work
   * would take longest (the critical path), never past a track's maximum nor to a track
   * without units left for one more worker. Called whenever a slot may have freed.
   */
  private rebalance(): void {
    if (this.stoppingAll) return;
    // A track still waiting whose units others finished (workers elsewhere) has ended.
    for (const s of this.slots.values()) {
      if (s.machine.status !== 'waiting' || this.childrenOf(s.track).length > 0) continue;
      if (this.o.demand && this.o.demand(s.track).units === 0) {
        const end = this.o.settle?.(s.track) ?? { status: 'complete', reason: 'complete' };
        this.setStatus(s, end.status, end.reason);
      }
    }
    const open = (s: TrackSlot) =>
      !s.restarting &&
      (s.machine.status === 'waiting' ||
        s.machine.status === 'running' ||
        s.machine.status === 'restarting');
    let free = this.budget() - this.busy();
    while (free > 0) {
      const candidates = [...this.slots.values()].filter(open).map((s) => {
        const d = this.o.demand?.(s.track) ?? { work: s.workers, units: s.workers };
        const workers = this.childrenOf(s.track).length + s.timers.size;
        return { slot: s, work: d.work, units: d.units, workers, cap: s.workers };
      });
      const pick = criticalTrack(candidates);
      if (!pick) break;
      this.spawn(pick.slot.track);
      free--;
    }
  }

  /** The current status of a track. */
  status(track: TrackName): TrackStatus {
    return this.slot(track).machine.status;
  }

  /** Worker processes alive now. */
  pids(): Array<{ track: TrackName; pid: number }> {
    return [...this.children].map((c) => ({ track: c.track, pid: c.pid }));
  }

  /** Pids of paused tracks' workers (their heartbeats are kept up on their behalf). */
  pausedPids(): number[] {
    return [...this.children]
      .filter((c) => this.slots.get(c.track)?.machine.status === 'paused')
      .map((c) => c.pid);
  }

  isPaused(track: TrackName): boolean {
    return this.slots.get(track)?.machine.status === 'paused';
  }

  private spawn(track: TrackName): void {
    if (this.stoppingAll) return;
    const slot = this.slot(track);
    const cmd = this.o.command(track);
    const proc = execa(cmd.file, [...cmd.args], {
      env: cmd.env ?? {},
      extendEnv: true,
      stdin: 'pipe',
      stdout: 'pipe',
      stderr: 'pipe',
      buffer: false,
      reject: false,
      // Its own process group: a Ctrl-C in the terminal reaches this process only, which
      // then stops the workers in order (one SIGTERM each: finish the unit, then exit).
      detached: true,
      forceKillAfterDelay: this.o.graceMs ?? 30_000,
      windowsHide: true,
    });
    const pid = proc.pid;
    if (pid === undefined) {
      // Could not even start (e.g. the command is missing): that is a crash too.
      void proc.then((r) =>
        this.onExit(track, -1, undefined, r.exitCode ?? null, r.signal ?? null),
      );
      return;
    }
    let resolveExited!: () => void;
    const child: Child = {
      track,
      pid,
      proc,
      stopping: false,
      stoppedNow: false,
      open: new Map(),
      stops: [],
      exited: new Promise((r) => {
        resolveExited = r;
      }),
    };
    this.children.add(child);
    this.o.dispatch({ type: 'child_started', at: this.now(), track, pid });
    if (slot.machine.status === 'paused') {
      // A worker (re)started during a pause is paused too, and the badge stays PAUSED.
      this.signal(child, 'SIGSTOP');
    } else if (slot.machine.status === 'restarting') {
      this.setStatus(slot, 'running', 'restarted: fresh workers are taking units');
    } else {
      this.setStatus(slot, 'running', 'started: its workers take units from the queue');
    }
    const flush = this.pipeOutput(child);
    void proc.then((r) => {
      // The rest of a line cut short by the exit is still a line.
      flush();
      this.children.delete(child);
      this.onExit(track, pid, child, r.exitCode ?? null, r.signal ?? null);
      resolveExited();
    });
  }

  /**
   * Parses a child's stdout (events, or log lines) and stderr (log lines); returns the
   * function that takes the unterminated last lines once the child has exited.
   */
  private pipeOutput(child: Child): () => void {
    const { track, pid, proc } = child;
    const out = new LineSplitter();
    const err = new LineSplitter();
    const worker = (event: WorkerEvent) =>
      this.o.dispatch({ type: 'worker_event', at: this.now(), track, pid, event });
    const log = (stream: 'stdout' | 'stderr') => (text: string) =>
      this.o.dispatch({ type: 'worker_log', at: this.now(), track, pid, stream, text });
    // Each stream its own budget: a library chatty on stdout does not hide stderr.
    const outRate = new OutputRate<WorkerEvent>({
      now: () => this.now(),
      log: log('stdout'),
      stage: worker,
    });
    const errRate = new OutputRate<WorkerEvent>({
      now: () => this.now(),
      log: log('stderr'),
      stage: worker,
    });
    const onOut = (lines: string[]) => {
      for (const line of lines) {
        const p = parseLine(line);
        if (p.kind === 'event') {
          const event = this.timed(child, p.event);
          if (event.type === 'stage') {
            outRate.stage(event.unit, event);
            continue;
          }
          if (ENDS.has(event.type) && 'unit' in event && event.unit) outRate.unitEnded(event.unit);
          worker(event);
        } else if (p.text !== '') {
          outRate.log(p.text);
        }
      }
    };
    const onErr = (lines: string[]) => {
      for (const text of lines) if (text.trim() !== '') errRate.log(text);
    };
    proc.stdout?.setEncoding('utf8');
    proc.stderr?.setEncoding('utf8');
    proc.stdout?.on('data', (chunk: string) => onOut(out.push(chunk)));
    proc.stderr?.on('data', (chunk: string) => onErr(err.push(chunk)));
    // The child's stdin is only a lifeline; a write error (it exited) is not ours to report.
    proc.stdin?.on('error', () => {});
    return () => {
      onOut(out.end());
      onErr(err.end());
      outRate.close();
      errRate.close();
    };
  }

  /**
   * Keeps count of a child's open units, and takes the time its track was paused out of a
   * finished unit's `ms` (the worker's clock ran on while it was stopped).
   */
  private timed(child: Child, e: WorkerEvent): WorkerEvent {
    if (e.type === 'unit_start') {
      child.open.set(e.unit, this.now());
      return e;
    }
    if (
      e.type !== 'unit_done' &&
      e.type !== 'unit_empty' &&
      e.type !== 'unit_failed' &&
      e.type !== 'unit_interrupted'
    )
      return e;
    const from = child.open.get(e.unit);
    child.open.delete(e.unit);
    if (from === undefined || e.type !== 'unit_done') return e;
    const now = this.now();
    const paused = child.stops.reduce(
      (ms, st) => ms + Math.max(0, Math.min(st.to ?? now, now) - Math.max(st.from, from)),
      0,
    );
    if (paused <= 0) return e;
    const activeMs = Math.max(0, e.ms - paused);
    this.o.onPausedUnit?.(child.track, e.unit, activeMs);
    return { ...e, ms: activeMs };
  }

  private onExit(
    track: TrackName,
    pid: number,
    child: Child | undefined,
    code: number | null,
    signal: string | null,
  ): void {
    const slot = this.slot(track);
    const clean = code === 0 && signal === null && (child?.open.size ?? 0) === 0;
    const expected = (child?.stopping ?? false) || clean;
    this.o.dispatch({ type: 'child_exited', at: this.now(), track, pid, code, signal, expected });
    if (!expected) this.onCrash(slot, pid);
    else if (child?.stoppedNow) this.o.onWorkerDied?.(track, pid);
    this.checkSettled(slot);
    // Its slot goes to the tracks still running.
    this.rebalance();
    this.checkDone();
  }

  private onCrash(slot: TrackSlot, pid: number): void {
    slot.crashes++;
    if (pid > 0) this.o.onWorkerDied?.(slot.track, pid);
    if (this.stoppingAll || slot.machine.status === 'failed') return;
    if (slot.crashes > this.o.maxRestarts) {
      this.setStatus(
        slot,
        'failed',
        `workers crashed ${slot.crashes} times; gave up (limit ${this.o.maxRestarts})`,
      );
      return;
    }
    const delay = (this.o.backoffMs ?? defaultBackoff)(slot.crashes);
    const message = `restarting a worker in ${(delay / 1000).toFixed(1)} s (crash ${slot.crashes} of at most ${this.o.maxRestarts})`;
    this.o.dispatch({
      type: 'track_control',
      at: this.now(),
      track: slot.track,
      action: 'restart_backoff',
      message,
    });
    if (this.childrenOf(slot.track).length === 0 && slot.machine.status === 'running')
      this.setStatus(slot, 'restarting', 'its worker crashed; restarting');
    this.respawnAfter(slot, delay);
  }

  /** Spawns a replacement after `delay`, and only once new workers could work. */
  private respawnAfter(slot: TrackSlot, delay: number): void {
    const timer = setTimeout(() => {
      slot.timers.delete(timer);
      if (this.stoppingAll) {
        this.checkSettled(slot);
        return;
      }
      if (this.o.canSpawn && !this.o.canSpawn()) {
        this.respawnAfter(slot, 1000);
        return;
      }
      this.spawn(slot.track);
      this.checkSettled(slot);
    }, delay);
    slot.timers.add(timer);
  }

  /** A track none of whose workers is left, and none to come, has ended (or was stopped). */
  private checkSettled(slot: TrackSlot): void {
    if (slot.restarting || slot.timers.size > 0 || this.childrenOf(slot.track).length > 0) {
      this.checkDone();
      return;
    }
    if (this.stoppingAll) {
      if (isLive(slot.machine.status)) this.setStatus(slot, 'stopped', 'stopped with work left');
    } else if (slot.machine.status === 'running' || slot.machine.status === 'restarting') {
      const end = this.o.settle?.(slot.track) ?? { status: 'complete', reason: 'complete' };
      this.setStatus(slot, end.status, end.reason);
    }
    this.checkDone();
  }

  private checkDone(): void {
    const slots = [...this.slots.values()];
    const busy = slots.some((s) => s.restarting || s.timers.size > 0);
    // A track still waiting for a slot is work to come, unless the run is stopping.
    const waiting = slots.some((s) => s.machine.status === 'waiting') && !this.stoppingAll;
    if (this.children.size === 0 && !busy && !waiting) this.resolveDone();
  }

  private signal(c: Child, signal: NodeJS.Signals): void {
    const last = c.stops.at(-1);
    if (signal === 'SIGSTOP' && (!last || last.to !== undefined))
      c.stops.push({ from: this.now(), to: undefined });
    if (signal === 'SIGCONT' && last && last.to === undefined) last.to = this.now();
    try {
      process.kill(c.pid, signal);
    } catch {
      // Already gone: its exit is being handled.
    }
  }

  /** Pauses a track: SIGSTOP to its workers (instant; nothing is lost). Returns what it did. */
  pause(track: TrackName): string {
    const slot = this.slot(track);
    if (this.stoppingAll) return 'the run is stopping';
    if (slot.machine.status === 'paused') return 'already paused';
    if (!this.setStatus(slot, 'paused', 'paused'))
      return `not paused: it is ${slot.machine.status}`;
    for (const c of this.childrenOf(track)) this.signal(c, 'SIGSTOP');
    // Its cores go to the tracks still running meanwhile.
    this.rebalance();
    return 'paused';
  }

  /** Resumes a paused track (SIGCONT). Returns what it did. */
  resume(track: TrackName): string {
    const slot = this.slot(track);
    if (slot.machine.status !== 'paused') return `not paused: it is ${slot.machine.status}`;
    const live = this.childrenOf(track);
    const to: TrackStatus =
      live.length > 0 ? 'running' : slot.timers.size > 0 ? 'restarting' : 'waiting';
    this.setStatus(slot, to, 'resumed');
    for (const c of live) this.signal(c, 'SIGCONT');
    return 'resumed';
  }

  /** Pauses every track that can be paused. */
  pauseAll(): string {
    return this.eachTrack((t) => this.pause(t));
  }

  /** Resumes every paused track. */
  resumeAll(): string {
    return this.eachTrack((t) => this.resume(t));
  }

  private eachTrack(fn: (t: TrackName) => string): string {
    return [...this.slots.keys()].map((t) => `${t}: ${fn(t)}`).join('; ');
  }

  /**
   * Restarts a track: its workers finish their current unit and exit (SIGTERM), then
   * fresh ones start. Finished units are in the results table and are not redone. Also
   * revives a track that gave up after too many crashes.
   */
  async restart(track: TrackName): Promise<string> {
    const slot = this.slot(track);
    if (this.stoppingAll) return 'the run is stopping';
    if (slot.restarting) return 'already restarting';
    if (slot.workers === 0) return 'it has no workers to restart (nothing to do)';
    if (!this.setStatus(slot, 'restarting', 'restarting (workers finish their unit first)'))
      return `not restarted: it is ${slot.machine.status}`;
    slot.restarting = true;
    for (const t of slot.timers) clearTimeout(t);
    slot.timers.clear();
    await Promise.all(this.childrenOf(track).map((c) => this.stopChild(c, 'graceful')));
    slot.restarting = false;
    slot.crashes = 0;
    if (this.stoppingAll) {
      this.checkSettled(slot);
      return 'the run is stopping';
    }
    // Its own slots first: at least one worker, then what the budget gives.
    this.spawn(track);
    this.rebalance();
    this.checkSettled(slot);
    return 'restarted';
  }

  /** A track's workers that are to stay: alive and not asked to stop, or due back after a crash. */
  private staying(slot: TrackSlot): Child[] {
    return this.childrenOf(slot.track).filter((c) => !c.stopping);
  }

  /** Publishes a track's new worker limit (it holds for the run, restarts included). */
  private setWorkers(slot: TrackSlot, workers: number): void {
    slot.workers = workers;
    this.o.dispatch({ type: 'track_workers', at: this.now(), track: slot.track, workers });
  }

  /**
   * One more worker for a track, started now (`+`). Refused, with why, at the bounds: no
   * track runs more workers than the run's budget (`run.maxWorkers`, default the cores),
   * the budget's slots must not all be busy, and a unit must be waiting for the worker.
   */
  addWorker(track: TrackName): string {
    const slot = this.slot(track);
    if (this.stoppingAll) return 'refused: the run is stopping';
    const status = slot.machine.status;
    if (status === 'paused') return 'refused: it is paused ("p" resumes it)';
    if (!isLive(status)) return `refused: it is ${status}`;
    if (slot.restarting) return 'refused: it is restarting';
    const now = this.staying(slot).length + slot.timers.size;
    const budget = this.budget();
    if (now >= budget)
      return `refused: ${now} worker(s), the most a track may run (run.maxWorkers: ${budget})`;
    if (this.busy() >= budget)
      return `refused: all ${budget} worker slots are busy (run.maxWorkers); "-" on another track frees one`;
    const units = this.o.demand?.(track).units;
    if (units !== undefined && units <= now)
      return `refused: no unit waits for another worker (${units} left for ${now})`;
    this.setWorkers(slot, Math.max(slot.workers, now + 1));
    this.spawn(track);
    return `${now + 1} worker(s) now`;
  }

  /**
   * One worker fewer for a track (`-`): a worker due back after a crash is not restarted,
   * else one finishes its current unit and exits (an idle one first). The track keeps at
   * least one worker (`p` pauses it).
   */
  removeWorker(track: TrackName): string {
    const slot = this.slot(track);
    if (this.stoppingAll) return 'refused: the run is stopping';
    const status = slot.machine.status;
    if (!isLive(status)) return `refused: it is ${status}`;
    if (slot.restarting) return 'refused: it is restarting';
    const staying = this.staying(slot);
    const now = staying.length + slot.timers.size;
    if (now <= 1) return `refused: ${now} worker(s), its least ("p" pauses the track)`;
    this.setWorkers(slot, now - 1);
    const [timer] = slot.timers;
    if (timer) {
      clearTimeout(timer);
      slot.timers.delete(timer);
      this.checkSettled(slot);
      return `${now - 1} worker(s) now (a crashed worker is not restarted)`;
    }
    const idle = staying.find((c) => c.open.size === 0);
    const child = idle ?? staying.at(-1)!;
    void this.stopChild(child, 'graceful');
    const when = idle ? 'now (it had no unit)' : 'after its current unit';
    return `${now - 1} worker(s) now: worker ${child.pid} stops ${when}`;
  }

  /**
   * Units of the track went back to the queue (`R`): a track that had ended (failed, or
   * complete) starts workers again; a live one gets them as the budget allows.
   */
  retried(track: TrackName): void {
    const status = this.slot(track).machine.status;
    if (status === 'failed' || status === 'complete') void this.restart(track);
    else this.rebalance();
  }

  private async stopChild(c: Child, mode: StopMode): Promise<void> {
    c.stopping = true;
    this.signal(c, 'SIGCONT');
    // SIGTERM: finish the unit, then exit; execa sends SIGKILL after the grace period.
    c.proc.kill('SIGTERM');
    // A second signal: exit at once (the unit's transaction rolls back; its job is retried).
    // Another kind: two SIGTERMs pending at once (a paused worker, a busy one) are one.
    if (mode === 'now') {
      c.stoppedNow = true;
      c.proc.kill('SIGINT');
    }
    await c.exited;
  }

  /**
   * Stops everything: `graceful`, workers finish their unit (SIGKILL after the grace
   * period); `now`, they leave at once. Tracks with work left end `stopped`.
   */
  async stopAll(mode: StopMode = 'graceful'): Promise<void> {
    this.stoppingAll = true;
    for (const slot of this.slots.values()) {
      for (const t of slot.timers) clearTimeout(t);
      slot.timers.clear();
    }
    await Promise.all([...this.children].map((c) => this.stopChild(c, mode)));
    for (const slot of this.slots.values()) this.checkSettled(slot);
    this.checkDone();
  }
}

import type { TrackName, WorkerEvent } from '../../tracks/protocol/events.js';
import { isLive, TrackMachine, type TrackStatus } from '../state/trackMachine.js';
import { busyWorkers as busyWorkersOf, planSpawns, type SlotLoad } from './planSpawns.js';
import {
  type Demand,
  defaultBackoff,
  type StopMode,
  type SupervisorOptions,
} from './supervisorOptions.js';
import { pausedBetween, workingMs } from './unitClock.js';
import { signalWorker, spawnWorker, stopWorker, type WorkerProcess } from './workerProcess.js';

/** One track as the supervisor runs it. */
export interface TrackSlot {
  readonly track: TrackName;
  /** The most workers it may run (it holds for the run, restarts included). */
  workers: number;
  readonly machine: TrackMachine;
  crashes: number;
  /** Respawns scheduled after crashes (a timer each). */
  readonly timers: Set<NodeJS.Timeout>;
  /**
   * A user's restart is waiting for the old workers to finish their unit: their exits do
   * not settle the track, and it gets no new worker meanwhile. (Not the `restarting`
   * status, which a crash sets too.)
   */
  drainingForRestart: boolean;
}

/**
 * Runs each track's worker processes and owns each track's state machine
 * (state/trackMachine.ts): starts workers as the budget allows (planSpawns.ts), times
 * their units without paused time (unitClock.ts), restarts crashed ones with exponential
 * backoff up to a limit, and stops everything (SIGTERM; SIGKILL after the grace period).
 * Processes are started and signalled in workerProcess.ts only; the control actions are
 * in supervisor.ts.
 */
export class SupervisorCore {
  protected readonly children = new Set<WorkerProcess>();
  protected readonly slots = new Map<TrackName, TrackSlot>();
  protected stoppingAll = false;
  /** Workers a `+` added past the run's budget, and not given back by a `-` yet. */
  protected raisedBy = 0;
  private resolveDone!: () => void;
  /** Corrections of paused units' times still being written. */
  private readonly corrections = new Set<Promise<unknown>>();
  /**
   * Resolves once every worker has exited, no restart is pending, and the times of units
   * that ended after a pause are corrected.
   */
  readonly done: Promise<void>;

  constructor(protected readonly o: SupervisorOptions) {
    const exited = new Promise<void>((r) => {
      this.resolveDone = r;
    });
    this.done = exited.then(async () => {
      while (this.corrections.size > 0) await Promise.allSettled([...this.corrections]);
    });
    for (const t of o.tracks) {
      this.slots.set(t.track, {
        track: t.track,
        workers: t.workers,
        machine: new TrackMachine(),
        crashes: 0,
        timers: new Set(),
        drainingForRestart: false,
      });
    }
  }

  protected now(): number {
    return this.o.now?.() ?? Date.now();
  }

  protected slot(track: TrackName): TrackSlot {
    const s = this.slots.get(track);
    if (!s) throw new Error(`no such track: ${track}`);
    return s;
  }

  /** Moves a track's machine and publishes the change; false when the move is not allowed. */
  protected setStatus(slot: TrackSlot, to: TrackStatus, reason: string): boolean {
    if (!slot.machine.transition(to)) return false;
    this.o.dispatch({ type: 'track_state', at: this.now(), track: slot.track, status: to, reason });
    return true;
  }

  protected childrenOf(track: TrackName): WorkerProcess[] {
    return [...this.children].filter((c) => c.track === track);
  }

  /**
   * Starts the tracks: one with nothing to do is complete at once; the others get workers
   * as the budget allows, the largest units first (`nextTrack`).
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

  /**
   * At most this many busy workers: the run's budget, plus what a `+` past it added (a `-`
   * gives it back); without a budget, every track's maximum at once.
   */
  protected budget(): number {
    const caps = [...this.slots.values()].reduce((n, s) => n + s.workers, 0);
    return this.o.budget === undefined ? caps : this.o.budget + this.raisedBy;
  }

  /** Each track's load as the scheduler weighs it. */
  protected loads(): SlotLoad[] {
    return [...this.slots.values()].map((s) => ({
      track: s.track,
      status: s.machine.status,
      drainingForRestart: s.drainingForRestart,
      cap: s.workers,
      workers: this.childrenOf(s.track).length + s.timers.size,
    }));
  }

  /**
   * Gives free worker slots to the tracks that can use one (planSpawns.ts). Called
   * whenever a slot may have freed.
   */
  protected rebalance(): void {
    if (this.stoppingAll) return;
    // A track still waiting whose units others finished (workers elsewhere) has ended.
    for (const s of this.slots.values()) {
      if (s.machine.status !== 'waiting' || this.childrenOf(s.track).length > 0) continue;
      if (this.o.demand && this.o.demand(s.track).units === 0) {
        const end = this.o.settle?.(s.track) ?? { status: 'complete', reason: 'complete' };
        this.setStatus(s, end.status, end.reason);
      }
    }
    const demand: Partial<Record<TrackName, Demand>> = {};
    if (this.o.demand) for (const t of this.slots.keys()) demand[t] = this.o.demand(t);
    for (const track of planSpawns(this.loads(), demand, this.budget())) this.spawn(track);
  }

  /** More workers than the budget when paused tracks' count too: a paused track lent slots. */
  private overBudgetWithPaused(): boolean {
    const loads = this.loads();
    const all = loads.reduce((n, s) => n + s.workers, 0);
    return loads.some((s) => s.status === 'paused') && all > this.budget();
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

  protected spawn(track: TrackName): void {
    if (this.stoppingAll) return;
    const slot = this.slot(track);
    const child = spawnWorker(track, this.o.command(track), this.o.graceMs ?? 30_000, {
      now: () => this.now(),
      dispatch: this.o.dispatch,
      event: (c, e) => this.timed(c, e),
      exited: (c, code, signal) => {
        if (c) this.children.delete(c);
        this.onExit(track, c?.pid ?? -1, c, code, signal);
      },
    });
    if (!child) return;
    this.children.add(child);
    child.borrowed = this.overBudgetWithPaused();
    this.o.dispatch({ type: 'child_started', at: this.now(), track, pid: child.pid });
    if (slot.machine.status === 'paused') {
      // A worker (re)started during a pause is paused too, and the badge stays PAUSED.
      this.signal(child, 'SIGSTOP');
    } else if (slot.machine.status === 'restarting') {
      this.setStatus(slot, 'running', 'restarted: fresh workers are taking units');
    } else {
      this.setStatus(slot, 'running', 'started: its workers take units from the queue');
    }
  }

  /**
   * Keeps count of a child's open units, and takes the time its track was paused out of a
   * finished unit's `ms` (the worker's clock ran on while it was stopped).
   */
  private timed(child: WorkerProcess, e: WorkerEvent): WorkerEvent {
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
    if (pausedBetween(child.stops, from, now) <= 0) return e;
    const activeMs = workingMs(e.ms, child.stops, from, now);
    const written = this.o.onPausedUnit?.(child.track, e.unit, activeMs);
    if (written instanceof Promise) {
      this.corrections.add(written);
      void written.finally(() => this.corrections.delete(written)).catch(() => {});
    }
    return { ...e, ms: activeMs };
  }

  private onExit(
    track: TrackName,
    pid: number,
    child: WorkerProcess | undefined,
    code: number | null,
    signal: string | null,
  ): void {
    const slot = this.slot(track);
    const clean = code === 0 && signal === null && (child?.open.size ?? 0) === 0;
    const expected = (child?.stopping ?? false) || clean;
    this.o.dispatch({ type: 'child_exited', at: this.now(), track, pid, code, signal, expected });
    if (!expected) this.onCrash(slot, pid);
    else if (child?.stoppedNow) this.o.onWorkerDied?.(track, pid);
    if (child?.givingBack) this.waitAfterGivingBack(slot);
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

  /**
   * A track whose last worker left to give a lent slot back has not ended: it waits for a
   * free slot (rebalance ends it if no unit is left for it).
   */
  private waitAfterGivingBack(slot: TrackSlot): void {
    if (this.stoppingAll || slot.machine.status !== 'running') return;
    if (slot.timers.size > 0 || this.childrenOf(slot.track).length > 0) return;
    this.setStatus(slot, 'waiting', 'gave its lent worker slots back; waiting for a free one');
  }

  /**
   * Takes back the slots a paused track lent, now that it resumed: while more workers are
   * busy than the budget allows, a worker of another track (a borrower first, an idle one
   * first) finishes its unit and leaves. Returns how many were asked to.
   */
  protected takeBackLent(resumed: TrackName): number {
    const staying = (c: WorkerProcess) =>
      !c.stopping && c.track !== resumed && this.slots.get(c.track)?.machine.status !== 'paused';
    const rank = (c: WorkerProcess) => (c.borrowed ? 0 : 2) + (c.open.size === 0 ? 0 : 1);
    const others = [...this.children].filter(staying).sort((a, b) => rank(a) - rank(b));
    const leaving = [...this.children].filter((c) => c.stopping).length;
    let over = busyWorkersOf(this.loads()) - leaving - this.budget();
    let asked = 0;
    for (const c of others) {
      if (over <= 0) break;
      c.givingBack = true;
      void this.stopChild(c, 'graceful');
      over--;
      asked++;
    }
    return asked;
  }

  /** A track none of whose workers is left, and none to come, has ended (or was stopped). */
  protected checkSettled(slot: TrackSlot): void {
    if (slot.drainingForRestart || slot.timers.size > 0 || this.childrenOf(slot.track).length > 0) {
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

  protected checkDone(): void {
    const slots = [...this.slots.values()];
    const pending = slots.some((s) => s.drainingForRestart || s.timers.size > 0);
    // A track still waiting for a slot is work to come, unless the run is stopping.
    const waiting = slots.some((s) => s.machine.status === 'waiting') && !this.stoppingAll;
    if (this.children.size === 0 && !pending && !waiting) this.resolveDone();
  }

  protected signal(c: WorkerProcess, signal: NodeJS.Signals): void {
    signalWorker(c, signal, this.now());
  }

  protected stopChild(c: WorkerProcess, mode: StopMode): Promise<void> {
    return stopWorker(c, mode, this.now());
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

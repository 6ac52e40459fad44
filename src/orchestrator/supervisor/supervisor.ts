import { execa, type ResultPromise } from 'execa';
import type { TrackName } from '../../tracks/protocol/events.js';
import { LineSplitter } from '../lineSplitter.js';
import { parseLine } from '../parseLine.js';
import type { RunEvent } from '../state/events.js';

/** How to start one worker process of a track. */
export interface WorkerCommand {
  readonly file: string;
  readonly args: readonly string[];
  readonly env?: Readonly<Record<string, string>>;
}

export interface SupervisorOptions {
  readonly tracks: ReadonlyArray<{ readonly track: TrackName; readonly workers: number }>;
  readonly command: (track: TrackName) => WorkerCommand;
  /** Crashes of a track's workers tolerated before the track is marked failed. */
  readonly maxRestarts: number;
  /** Delay before restarting after the n-th crash (n from 1). */
  readonly backoffMs?: (n: number) => number;
  /** Time a worker gets to finish its unit after SIGTERM before SIGKILL. */
  readonly graceMs?: number;
  readonly dispatch: (ev: RunEvent) => void;
  /** Called when a worker died without being asked to (release its queue locks at once). */
  readonly onWorkerDied?: (track: TrackName, pid: number) => Promise<void>;
  readonly now?: () => number;
}

/** Exponential backoff from 1 s, capped at 30 s. */
export const defaultBackoff = (n: number): number => Math.min(30_000, 1000 * 2 ** (n - 1));

interface Child {
  readonly track: TrackName;
  readonly pid: number;
  readonly proc: ResultPromise;
  /** Set when the supervisor asked it to stop: its exit is then expected. */
  stopping: boolean;
  /** Units it started and has not finished: exiting with one open is a crash. */
  readonly open: Set<string>;
  readonly exited: Promise<void>;
}

interface TrackSlot {
  readonly track: TrackName;
  readonly workers: number;
  paused: boolean;
  crashes: number;
  gaveUp: boolean;
  pendingRespawns: number;
  timers: Set<NodeJS.Timeout>;
}

/**
 * Runs each track's worker processes: parses their stdout into events, pauses and resumes
 * them (SIGSTOP / SIGCONT), restarts them (graceful stop, respawn), restarts crashed ones
 * with exponential backoff up to a limit, and stops everything (SIGTERM, then SIGKILL).
 * Children get a stdin pipe: if this process dies, even by SIGKILL, their stdin ends and
 * they finish their unit and exit, so nothing is left running.
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
        paused: false,
        crashes: 0,
        gaveUp: false,
        pendingRespawns: 0,
        timers: new Set(),
      });
    }
  }

  private now(): number {
    return this.o.now?.() ?? Date.now();
  }

  /** Starts every track's workers. */
  start(): void {
    for (const slot of this.slots.values()) {
      for (let i = 0; i < slot.workers; i++) this.spawn(slot.track);
    }
    this.checkDone();
  }

  /** Worker processes alive now. */
  pids(): Array<{ track: TrackName; pid: number }> {
    return [...this.children].map((c) => ({ track: c.track, pid: c.pid }));
  }

  /** Pids of paused tracks' workers (their heartbeats are kept up on their behalf). */
  pausedPids(): number[] {
    return [...this.children].filter((c) => this.slots.get(c.track)?.paused).map((c) => c.pid);
  }

  isPaused(track: TrackName): boolean {
    return this.slots.get(track)?.paused ?? false;
  }

  private spawn(track: TrackName): void {
    if (this.stoppingAll) return;
    const cmd = this.o.command(track);
    const proc = execa(cmd.file, [...cmd.args], {
      env: cmd.env ?? {},
      extendEnv: true,
      stdin: 'pipe',
      stdout: 'pipe',
      stderr: 'pipe',
      buffer: false,
      reject: false,
      cleanup: true,
      // Its own process group: a Ctrl-C in the terminal reaches this process only, which
      // then stops the workers in order (one SIGTERM each: finish the unit, then exit).
      detached: true,
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
      open: new Set(),
      exited: new Promise((r) => {
        resolveExited = r;
      }),
    };
    this.children.add(child);
    this.o.dispatch({ type: 'child_started', at: this.now(), track, pid });
    const out = new LineSplitter();
    const err = new LineSplitter();
    const onOut = (lines: string[]) => {
      for (const line of lines) {
        const p = parseLine(line);
        if (p.kind === 'event') {
          const e = p.event;
          if (e.type === 'unit_start') child.open.add(e.unit);
          else if (e.type === 'unit_done' || e.type === 'unit_empty' || e.type === 'unit_failed')
            child.open.delete(e.unit);
          this.o.dispatch({ type: 'worker_event', at: this.now(), track, pid, event: e });
        } else if (p.text !== '') {
          this.o.dispatch({
            type: 'worker_log',
            at: this.now(),
            track,
            pid,
            stream: 'stdout',
            text: p.text,
          });
        }
      }
    };
    const onErr = (lines: string[]) => {
      for (const text of lines) {
        if (text.trim() !== '')
          this.o.dispatch({
            type: 'worker_log',
            at: this.now(),
            track,
            pid,
            stream: 'stderr',
            text,
          });
      }
    };
    proc.stdout?.setEncoding('utf8');
    proc.stderr?.setEncoding('utf8');
    proc.stdout?.on('data', (chunk: string) => onOut(out.push(chunk)));
    proc.stderr?.on('data', (chunk: string) => onErr(err.push(chunk)));
    // The child's stdin is only a lifeline; a write error (it exited) is not ours to report.
    proc.stdin?.on('error', () => {});
    void proc.then((r) => {
      // The rest of a line cut short by the exit is still a line.
      onOut(out.end());
      onErr(err.end());
      this.children.delete(child);
      this.onExit(track, pid, child, r.exitCode ?? null, r.signal ?? null);
      resolveExited();
    });
  }

  private onExit(
    track: TrackName,
    pid: number,
    child: Child | undefined,
    code: number | null,
    signal: string | null,
  ): void {
    const slot = this.slots.get(track)!;
    const clean = code === 0 && signal === null && (child?.open.size ?? 0) === 0;
    const expected = (child?.stopping ?? false) || clean;
    this.o.dispatch({ type: 'child_exited', at: this.now(), track, pid, code, signal, expected });
    if (!expected) {
      slot.crashes++;
      const died = this.o.onWorkerDied?.(track, pid) ?? Promise.resolve();
      if (this.stoppingAll) {
        void died.catch(() => {});
      } else if (slot.crashes > this.o.maxRestarts) {
        if (!slot.gaveUp) {
          slot.gaveUp = true;
          this.o.dispatch({
            type: 'track_control',
            at: this.now(),
            track,
            action: 'give_up',
            message: `workers crashed ${slot.crashes} times; gave up (limit ${this.o.maxRestarts})`,
          });
        }
        void died.catch(() => {});
      } else {
        const delay = (this.o.backoffMs ?? defaultBackoff)(slot.crashes);
        slot.pendingRespawns++;
        this.o.dispatch({
          type: 'track_control',
          at: this.now(),
          track,
          action: 'restart_backoff',
          message: `restarting a worker in ${(delay / 1000).toFixed(1)} s (crash ${slot.crashes} of at most ${this.o.maxRestarts})`,
        });
        const timer = setTimeout(() => {
          slot.timers.delete(timer);
          slot.pendingRespawns--;
          // Its unit's locks are released first, so the respawned worker can take it at once.
          void died
            .catch(() => {})
            .then(() => {
              this.spawn(track);
              if (slot.paused) this.signalTrack(track, 'SIGSTOP');
              this.checkDone();
            });
        }, delay);
        slot.timers.add(timer);
      }
    }
    this.checkDone();
  }

  private checkDone(): void {
    const pending = [...this.slots.values()].some((s) => s.pendingRespawns > 0);
    if (this.children.size === 0 && !pending) this.resolveDone();
  }

  private signalTrack(track: TrackName, signal: NodeJS.Signals): void {
    for (const c of this.children) {
      if (c.track !== track) continue;
      try {
        process.kill(c.pid, signal);
      } catch {
        // Already gone: its exit is being handled.
      }
    }
  }

  /** Pauses a track: SIGSTOP to its workers (instant; nothing is lost). */
  pause(track: TrackName): void {
    const slot = this.slots.get(track);
    if (!slot || slot.paused || this.stoppingAll) return;
    slot.paused = true;
    this.signalTrack(track, 'SIGSTOP');
    this.o.dispatch({
      type: 'track_control',
      at: this.now(),
      track,
      action: 'pause',
      message: 'paused',
    });
  }

  /** Resumes a paused track (SIGCONT). */
  resume(track: TrackName): void {
    const slot = this.slots.get(track);
    if (!slot?.paused) return;
    slot.paused = false;
    this.signalTrack(track, 'SIGCONT');
    this.o.dispatch({
      type: 'track_control',
      at: this.now(),
      track,
      action: 'resume',
      message: 'resumed',
    });
  }

  /** Pauses every running track, or resumes them all when all are paused. */
  togglePauseAll(): void {
    const slots = [...this.slots.values()];
    if (slots.every((s) => s.paused)) for (const s of slots) this.resume(s.track);
    else for (const s of slots) this.pause(s.track);
  }

  /**
   * Restarts a track: its workers finish their current unit and exit (SIGTERM), then
   * fresh ones start. Finished units are in the results table and are not redone. Also
   * revives a track that gave up after too many crashes.
   */
  async restart(track: TrackName): Promise<void> {
    const slot = this.slots.get(track);
    if (!slot || this.stoppingAll) return;
    this.o.dispatch({
      type: 'track_control',
      at: this.now(),
      track,
      action: 'restart',
      message: 'restarting (workers finish their unit first)',
    });
    for (const t of slot.timers) clearTimeout(t);
    slot.pendingRespawns -= slot.timers.size;
    slot.timers.clear();
    const mine = [...this.children].filter((c) => c.track === track);
    await Promise.all(mine.map((c) => this.stopChild(c)));
    slot.paused = false;
    slot.crashes = 0;
    slot.gaveUp = false;
    for (let i = 0; i < slot.workers; i++) this.spawn(track);
    this.checkDone();
  }

  private async stopChild(c: Child): Promise<void> {
    c.stopping = true;
    try {
      process.kill(c.pid, 'SIGCONT');
      process.kill(c.pid, 'SIGTERM');
    } catch {
      // Already gone.
    }
    const grace = this.o.graceMs ?? 30_000;
    const timer = setTimeout(() => {
      try {
        process.kill(c.pid, 'SIGKILL');
      } catch {
        // Already gone.
      }
    }, grace);
    await c.exited;
    clearTimeout(timer);
  }

  /** Stops everything: SIGTERM (workers finish their unit), SIGKILL after the grace period. */
  async stopAll(): Promise<void> {
    this.stoppingAll = true;
    for (const slot of this.slots.values()) {
      for (const t of slot.timers) clearTimeout(t);
      slot.pendingRespawns = 0;
      slot.timers.clear();
      if (slot.paused) slot.paused = false;
    }
    await Promise.all([...this.children].map((c) => this.stopChild(c)));
    this.checkDone();
  }
}

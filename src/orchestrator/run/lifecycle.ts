/**
 * The lifecycle of a run this process supervises: one machine, owned by `superviseRun`,
 * that every way a run can end goes through (`end(reason)`, once: the first end is the
 * run's). The views see the run through its events and its record; this machine is the
 * supervisor's own, so that "what may happen now" is read in one place.
 *
 * ```
 *   preparing ── the tracks' workers start ──▶ running ── the queue is done ──┐
 *     │   │                                     │                            │
 *     │   └── stop / the database gave up / ────┤                            │
 *     │       another supervisor took over      ▼                            ▼
 *     │                                      stopping ── the workers left ─▶ finishing ─▶ ended
 *     └── preflight failed / preparation failed / stopped before a unit ───▶ │
 * ```
 *
 * - `preparing`: seeding an empty embedded database, the preflight, the plan (prepare.ts).
 * - `running`: the tracks' workers take units (the Supervisor).
 * - `stopping`: a stop was asked for, or the run must stand down: the workers are leaving.
 * - `finishing`: the report, the closing ANALYZE and the run record are written (finish.ts).
 * - `ended`: final.
 *
 * A follow (`run --follow`) waits between runs outside this machine: each of its runs is
 * supervised anew, from `preparing` (follow.ts).
 *
 * A refused transition is a bug in the caller, so `to` throws.
 */
import { EXIT } from '../../config/userError.js';
import type { TrackName } from '../../tracks/protocol/events.js';
import type { RunOutcome } from '../state/events.js';

/** What the supervised run is doing. */
export type RunMode = 'preparing' | 'running' | 'stopping' | 'finishing' | 'ended';

/** The modes each mode may change to. */
export const RUN_TRANSITIONS: Readonly<Record<RunMode, readonly RunMode[]>> = {
  preparing: ['running', 'stopping', 'finishing'],
  running: ['stopping', 'finishing'],
  stopping: ['finishing'],
  finishing: ['ended'],
  ended: [],
};

/** How a run ended: its outcome, the process's exit code (README "Exit codes"), and why. */
export interface RunEnd {
  readonly status: RunOutcome;
  readonly exitCode: number;
  readonly message?: string;
}

/** How a run is stopped: `graceful`, running units finish first; `now`, at once. */
export type StopMode = 'graceful' | 'now';

/** A stop a user asked for, and the exit code it ends with (130, or 143 for SIGTERM). */
export interface StopRequest {
  readonly mode: StopMode;
  readonly exitCode: number;
}

/** Every reason a run ends. */
export type EndReason =
  /** The database was unreachable for longer than `run.databaseTimeoutSeconds`. */
  | { readonly kind: 'gave_up'; readonly message: string }
  /** Another supervisor took the database's live run over while this one was away. */
  | { readonly kind: 'taken_over'; readonly message: string }
  /** The heartbeat found the run's record no longer this process's. */
  | { readonly kind: 'declared_lost' }
  | { readonly kind: 'preflight_failed'; readonly problems: number }
  /** The preparation failed (an error that is not a connection loss). */
  | { readonly kind: 'error'; readonly message: string }
  /** A user stopped it; `beforeAnyUnit` when no worker had started. */
  | { readonly kind: 'stopped'; readonly stop: StopRequest; readonly beforeAnyUnit: boolean }
  /** Every track settled; `failed` names those that did not complete. */
  | { readonly kind: 'finished'; readonly failed: readonly TrackName[] };

/** The end a reason comes to. */
export function endOf(reason: EndReason): RunEnd {
  switch (reason.kind) {
    case 'gave_up':
    case 'taken_over':
    case 'error':
      return { status: 'failed', exitCode: EXIT.failed, message: reason.message };
    case 'declared_lost':
      return {
        status: 'failed',
        exitCode: EXIT.failed,
        message: 'the run was declared lost by another process; stopped',
      };
    case 'preflight_failed':
      return {
        status: 'failed',
        exitCode: EXIT.usage,
        message: `the preflight found ${reason.problems} problem(s); nothing was run`,
      };
    case 'stopped':
      return { status: 'interrupted', exitCode: reason.stop.exitCode, message: stopped(reason) };
    case 'finished':
      return reason.failed.length > 0
        ? {
            status: 'failed',
            exitCode: EXIT.failed,
            message: `failed: ${reason.failed.join(', ')}`,
          }
        : { status: 'complete', exitCode: EXIT.ok };
  }
}

function stopped(reason: Extract<EndReason, { kind: 'stopped' }>): string {
  if (reason.beforeAnyUnit) return 'stopped before any unit ran';
  return reason.stop.mode === 'now' ? 'stopped at once' : 'stopped; running units finished first';
}

/** Reasons that leave at once: the run is no longer this process's to carry on. */
const STAND_DOWN: ReadonlySet<EndReason['kind']> = new Set([
  'gave_up',
  'taken_over',
  'declared_lost',
]);

/** The run's workers as the lifecycle sees them (the Supervisor). */
export interface RunWorkers {
  stopAll(mode: StopMode): Promise<void>;
  readonly done: Promise<void>;
}

/** One run's machine: its mode, its stop, its end. */
export class RunLifecycle<W extends RunWorkers = RunWorkers> {
  private current: RunMode = 'preparing';
  private stopAsked: StopRequest | undefined;
  private workers: W | undefined;
  private first: RunEnd | undefined;
  private disowned = false;
  private away = false;
  private readonly standing = new AbortController();
  private resolveEnded!: (end: RunEnd) => void;
  /** The run's end, once `end` was called. */
  readonly ended = new Promise<RunEnd>((r) => {
    this.resolveEnded = r;
  });

  get mode(): RunMode {
    return this.current;
  }

  /** The workers, once they started (`running` and after). */
  get running(): W | undefined {
    return this.workers;
  }

  /** The stop a user asked for, if any. */
  get stopRequest(): StopRequest | undefined {
    return this.stopAsked;
  }

  /** False once another process owns the run's record (taken over, declared lost). */
  get ownsRecord(): boolean {
    return !this.disowned;
  }

  /** True once the database was away past the limit. */
  get gaveUp(): boolean {
    return this.away;
  }

  /** False once the run must stand down: its database and its record are not to be used. */
  get canCarryOn(): boolean {
    return !this.disowned && !this.away;
  }

  /** Aborted once the run can no longer carry on: what waits for the database stops. */
  get standDown(): AbortSignal {
    return this.standing.signal;
  }

  /** Moves to `to`; a transition the table refuses is a bug and throws. */
  to(to: RunMode): void {
    if (to === this.current) return;
    if (!RUN_TRANSITIONS[this.current].includes(to))
      throw new Error(`the run cannot go from ${this.current} to ${to}`);
    this.current = to;
  }

  /**
   * The workers start: `preparing → running`. False (and nothing is to start) when the run
   * is no longer preparing (a stop, or an end, came meanwhile).
   */
  run(workers: W): boolean {
    if (this.current !== 'preparing' || this.first) return false;
    this.workers = workers;
    this.to('running');
    return true;
  }

  /**
   * Records a user's stop; false when there is nothing to do (the run is finishing, or
   * the same or a stronger stop was asked already: only `graceful` → `now` goes further).
   */
  requestStop(stop: StopRequest): boolean {
    if (this.current !== 'preparing' && this.current !== 'running' && this.current !== 'stopping')
      return false;
    const before = this.stopAsked;
    if (before && !(stop.mode === 'now' && before.mode === 'graceful')) return false;
    this.stopAsked = stop;
    this.to('stopping');
    return true;
  }

  /** Tells the workers to stop as asked; without workers yet, the run ends here. */
  async stopWorkers(): Promise<void> {
    const stop = this.stopAsked;
    if (!stop) return;
    if (!this.workers) {
      this.end({ kind: 'stopped', stop, beforeAnyUnit: true });
      return;
    }
    await this.workers.stopAll(stop.mode);
  }

  /**
   * Ends the run. The first end is the run's; what a later one says about the database
   * (gone, or no longer this run's) still counts. Standing down stops the workers at once.
   */
  end(reason: EndReason): void {
    if (reason.kind === 'gave_up') this.away = true;
    if (reason.kind === 'taken_over' || reason.kind === 'declared_lost') this.disowned = true;
    if (STAND_DOWN.has(reason.kind)) {
      this.standing.abort(new Error(endOf(reason).message));
      if (this.current === 'preparing' || this.current === 'running') this.to('stopping');
      void this.workers?.stopAll('now');
    }
    if (this.first) return;
    this.first = endOf(reason);
    this.resolveEnded(this.first);
  }

  /** Waits for the workers to be gone (they were told to stop, or finished). */
  async workersGone(): Promise<void> {
    await this.workers?.done;
  }
}

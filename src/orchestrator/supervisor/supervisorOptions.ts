import type { TrackName } from '../../tracks/protocol/events.js';
import type { RunEvent } from '../state/events.js';

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

/** How `stopAll` stops the workers. */
export type StopMode = 'graceful' | 'now';

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
   * work, which its event now carries; the recorded outcome is to be corrected too. A
   * promise returned is waited for before `done` resolves (the report reads the time).
   */
  readonly onPausedUnit?: (track: TrackName, unit: string, activeMs: number) => unknown;
  /** The end of a track whose workers left because its queue drained (default: complete). */
  readonly settle?: (track: TrackName) => Settled;
  /** False while new workers could not work (the database is unreachable): respawns wait. */
  readonly canSpawn?: () => boolean;
  readonly now?: () => number;
}

/** Exponential backoff from 1 s, capped at 30 s. */
export const defaultBackoff = (n: number): number => Math.min(30_000, 1000 * 2 ** (n - 1));

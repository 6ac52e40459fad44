import type { TrackName } from '../tracks/protocol/events.js';

/** What the dashboard's keys ask of the run (through its control channel). */
export interface DashboardControls {
  togglePause(track: TrackName): void;
  togglePauseAll(): void;
  restart(track: TrackName): void;
  /** One more worker for the track (`+`), one fewer after its unit (`-`). */
  addWorker(track: TrackName): void;
  removeWorker(track: TrackName): void;
  /** Gives the track's units that failed for good back to the queue (`R`). */
  retryFailed(track: TrackName): void;
  /** Asks the run to stop: running units finish first. */
  stopRun(): void;
}

/** Why the dashboard closed: the user detached (the run goes on), or the run had ended. */
export type QuitReason = 'detach' | 'ended';

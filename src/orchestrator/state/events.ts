import type { TrackName, WorkerEvent } from '../../tracks/protocol/events.js';
import type { DatabaseSample } from '../sample/databaseSampler.js';
import type { SystemSample } from '../sample/systemSampler.js';

/** A track's share of the plan, as the reducer needs it. */
export interface PlannedTrack {
  readonly track: TrackName;
  readonly total: number;
  /** Already finished before this run (resume): done and no data. */
  readonly done: number;
  readonly empty: number;
  readonly rows: number;
  /** Worker processes the supervisor will run for it. */
  readonly workers: number;
}

/** Everything that changes the run's state; `at` is epoch milliseconds. */
export type RunEvent =
  | {
      readonly type: 'run_planned';
      readonly at: number;
      readonly runId: string;
      readonly maxAttempts: number;
      readonly stallMs: number;
      readonly tracks: readonly PlannedTrack[];
    }
  | {
      readonly type: 'worker_event';
      readonly at: number;
      readonly track: TrackName;
      readonly pid: number;
      readonly event: WorkerEvent;
    }
  | {
      readonly type: 'worker_log';
      readonly at: number;
      readonly track: TrackName;
      readonly pid: number;
      readonly stream: 'stdout' | 'stderr';
      readonly text: string;
    }
  | {
      readonly type: 'child_started';
      readonly at: number;
      readonly track: TrackName;
      readonly pid: number;
    }
  | {
      readonly type: 'child_exited';
      readonly at: number;
      readonly track: TrackName;
      readonly pid: number;
      readonly code: number | null;
      readonly signal: string | null;
      /** True when the supervisor asked for it or the worker ran out of units. */
      readonly expected: boolean;
    }
  | {
      readonly type: 'track_control';
      readonly at: number;
      readonly track: TrackName;
      readonly action: 'pause' | 'resume' | 'restart' | 'restart_backoff' | 'give_up' | 'stop';
      readonly message?: string;
    }
  | { readonly type: 'tick'; readonly at: number }
  | { readonly type: 'system_sample'; readonly at: number; readonly sample: SystemSample }
  | { readonly type: 'database_sample'; readonly at: number; readonly sample: DatabaseSample }
  | { readonly type: 'run_finished'; readonly at: number; readonly interrupted: boolean };

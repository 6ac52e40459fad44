import type { DoctorReport } from '../../db/preflight/doctor.js';
import type { RunReport } from '../report/reportTypes.js';
import type { TrackName, WorkerEvent } from '../../tracks/protocol/events.js';
import type { DatabaseSample } from '../sample/databaseSampler.js';
import type { SystemSample } from '../sample/systemSampler.js';
import type { Budget, TrackHistory } from './historyTypes.js';
import type { TrackStatus } from './trackMachine.js';

/** How a run ended. `interrupted`: stopped by a user (a signal, `stop`, the dashboard). */
export type RunOutcome = 'complete' | 'failed' | 'interrupted';

/** What the supervisor does before the units run (shown by views while it lasts). */
export type RunPhase = 'starting' | 'seeding' | 'preflight' | 'planning' | 'running' | 'stopping';

/** Whose link to the database an event is about. */
export type LinkSide = 'supervisor' | 'view';

/** A track's share of the plan, as the reducer needs it. */
export interface PlannedTrack {
  readonly track: TrackName;
  readonly total: number;
  /**
   * Already finished before this run (resume): done and no data (`empty`, the ledger's
   * word, kept as stored: the state calls it `noData`).
   */
  readonly done: number;
  readonly empty: number;
  readonly rows: number;
  /** Worker processes the supervisor will run for it. */
  readonly workers: number;
  /**
   * Of the units to run, those finished before whose inputs, code version or output
   * changed since (docs/freshness.md); absent from an older supervisor's event.
   */
  readonly stale?: number;
  /** Units recorded before fingerprints existed that the plan adopted without running. */
  readonly adopted?: number;
}

/** A worker process the supervisor does not run (`bqx-monitor worker` started by a user). */
export interface RemoteWorker {
  readonly host: string;
  readonly pid: number;
  readonly track: TrackName;
}

/**
 * Everything that changes the run's state; `at` is epoch milliseconds. The supervisor
 * publishes every event but `tick` to the database, and views fold them with the same
 * reducer; `run_lost` and `connection` with `side: 'view'` are a view's own findings.
 */
export type RunEvent =
  | {
      readonly type: 'run_started';
      readonly at: number;
      readonly runId: string;
      readonly host: string;
      readonly pid: number;
      /** The run's plain-text log ({data-dir}/runs/{run-id}.log), when it runs in the background. */
      readonly logFile?: string;
      /** A run stopped unexpectedly that this one carries on. */
      readonly resumedFrom?: string;
    }
  | {
      readonly type: 'run_phase';
      readonly at: number;
      readonly phase: RunPhase;
      readonly detail?: string;
      readonly done?: number;
      readonly total?: number;
    }
  | { readonly type: 'preflight'; readonly at: number; readonly report: DoctorReport }
  | {
      /** What earlier runs recorded of the units to run, and how the machine is shared. */
      readonly type: 'run_history';
      readonly at: number;
      readonly tracks: Readonly<Record<TrackName, TrackHistory>>;
      readonly budget: Budget;
    }
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
      /** From a worker the supervisor does not run (another host's), through the worker feed. */
      readonly remote?: true;
    }
  | {
      /**
       * The workers the supervisor does not run, as the worker registry lists them now
       * (published when the list changes). One that left the list died or exited: its
       * running units are dropped (the queue gives them to another worker).
       */
      readonly type: 'remote_workers';
      readonly at: number;
      readonly workers: readonly RemoteWorker[];
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
      /** The track's state machine moved (trackMachine.ts). */
      readonly type: 'track_state';
      readonly at: number;
      readonly track: TrackName;
      readonly status: TrackStatus;
      readonly reason: string;
    }
  | {
      /** A running unit has been silent past `run.stallSeconds` (flagged once, never killed). */
      readonly type: 'unit_stalled';
      readonly at: number;
      readonly track: TrackName;
      readonly unit: string;
      readonly pid: number;
      readonly silentMs: number;
    }
  | {
      /** A command of the control channel, carried out and acknowledged. */
      readonly type: 'command';
      readonly at: number;
      readonly id: number;
      readonly action: string;
      readonly track: TrackName | null;
      readonly by: string;
      readonly result: string;
    }
  | {
      /** The database became unreachable (`lost`) or reachable again (`back`). */
      readonly type: 'connection';
      readonly at: number;
      readonly side: LinkSide;
      readonly state: 'lost' | 'back';
      /** When it was lost (epoch ms). */
      readonly since: number;
      readonly error?: string;
    }
  | {
      /**
       * A track's worker limit changed live (`+` / `-`): at most `workers` of its workers
       * run from now on, for the rest of the run (restarts included).
       */
      readonly type: 'track_workers';
      readonly at: number;
      readonly track: TrackName;
      readonly workers: number;
    }
  | {
      /** Units that failed for good this run are back in the queue with fresh attempts (`R`). */
      readonly type: 'units_retried';
      readonly at: number;
      readonly track: TrackName;
      readonly units: readonly string[];
    }
  | {
      readonly type: 'track_control';
      readonly at: number;
      readonly track: TrackName;
      /** A note about the track that changes no status (e.g. a restart after a crash). */
      readonly action: 'restart_backoff' | 'note';
      readonly message?: string;
    }
  | { readonly type: 'tick'; readonly at: number }
  | { readonly type: 'system_sample'; readonly at: number; readonly sample: SystemSample }
  | { readonly type: 'database_sample'; readonly at: number; readonly sample: DatabaseSample }
  | {
      /** The post-run report (`bqx-monitor report`), published by the supervisor just before its end. */
      readonly type: 'run_report';
      readonly at: number;
      readonly report: RunReport;
    }
  | {
      readonly type: 'run_finished';
      readonly at: number;
      readonly status: RunOutcome;
      /** The exit code of the run (README "Exit codes"); views exit with it. */
      readonly exitCode: number;
      readonly message?: string;
    }
  | {
      /** A view found the run's supervisor gone without finishing the run. */
      readonly type: 'run_lost';
      readonly at: number;
      readonly message: string;
    };

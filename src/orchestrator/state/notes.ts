import type { TrackName } from '../../tracks/protocol/events.js';
import type { LinkSide, RunOutcome } from './events.js';
import type { TrackStatus } from './trackMachine.js';

export type Level = 'info' | 'warn' | 'error';

/**
 * What a line of the recent-events list (and a track's log) is about: numbers and kinds
 * only. The wording is the views' (src/orchestrator/text/describe.ts), so it is not part
 * of the state nor of the `--json` snapshots.
 */
export type Note =
  | {
      readonly kind: 'unit_done';
      readonly unit: string;
      readonly rows: number;
      readonly bytes: number;
      readonly ms: number;
    }
  | { readonly kind: 'unit_no_data'; readonly unit: string; readonly reason: string }
  | {
      readonly kind: 'unit_failed';
      readonly unit: string;
      readonly attempt: number;
      readonly maxAttempts: number;
      readonly code: string;
      readonly message: string;
      /** The last attempt: the unit counts as failed (else the queue retries it). */
      readonly final: boolean;
    }
  | { readonly kind: 'unit_interrupted'; readonly unit: string; readonly reason: string }
  | {
      readonly kind: 'unit_stalled';
      readonly unit: string;
      readonly pid: number;
      readonly silentMs: number;
    }
  | {
      readonly kind: 'warning';
      readonly unit: string | undefined;
      readonly code: string;
      readonly message: string;
      readonly count: number | undefined;
    }
  | { readonly kind: 'unit_started'; readonly unit: string; readonly attempt: number }
  | {
      /** Where a running unit is (its worker's `stage` event). */
      readonly kind: 'stage';
      readonly unit: string;
      readonly stage: 'load' | 'compute' | 'write';
      readonly detail: string | undefined;
      readonly rows: number | undefined;
      readonly total: number | undefined;
    }
  | { readonly kind: 'worker_started'; readonly pid: number }
  | {
      /** A worker left as expected (its queue drained, or it was asked to). */
      readonly kind: 'worker_exited';
      readonly pid: number;
      readonly code: number | null;
      readonly signal: string | null;
    }
  | {
      readonly kind: 'worker_log';
      readonly pid: number;
      readonly stream: 'stdout' | 'stderr';
      readonly text: string;
    }
  | {
      readonly kind: 'worker_died';
      readonly pid: number;
      readonly code: number | null;
      readonly signal: string | null;
      /** Units it was running: they are retried. */
      readonly units: readonly string[];
    }
  | {
      /** A worker the supervisor does not run joined the run or left it. */
      readonly kind: 'remote_worker';
      readonly host: string;
      readonly pid: number;
      readonly joined: boolean;
    }
  | { readonly kind: 'track_state'; readonly status: TrackStatus; readonly reason: string }
  | { readonly kind: 'track_note'; readonly message: string }
  | {
      readonly kind: 'run_started';
      readonly runId: string;
      readonly host: string;
      readonly pid: number;
      readonly resumedFrom: string | undefined;
    }
  | {
      readonly kind: 'run_planned';
      readonly runId: string;
      readonly todo: number;
      /** Of `todo`, units finished before whose inputs or code changed since. */
      readonly stale?: number;
      /** Units recorded before fingerprints, adopted without running. */
      readonly adopted?: number;
    }
  | {
      readonly kind: 'preflight';
      readonly ok: boolean;
      readonly problems: number;
      readonly tables: number;
    }
  | {
      readonly kind: 'command';
      readonly action: string;
      readonly track: TrackName | null;
      readonly by: string;
      readonly result: string;
    }
  | {
      readonly kind: 'connection';
      readonly side: LinkSide;
      readonly state: 'lost' | 'back';
      /** When the database was lost (epoch ms). */
      readonly since: number;
      /** How long it was unreachable (for `back`). */
      readonly downMs: number | undefined;
      readonly error: string | undefined;
    }
  | {
      readonly kind: 'run_finished';
      readonly runId: string | undefined;
      readonly status: RunOutcome;
      readonly exitCode: number;
      readonly message: string | undefined;
    }
  | { readonly kind: 'run_lost'; readonly message: string };

/** A line of the recent-events list, of the workers' output, and of a track's log. */
export interface RecentEvent {
  readonly at: number;
  readonly track: TrackName | undefined;
  /** The worker process it is about, if one (a track's log can show one worker's lines). */
  readonly pid?: number | undefined;
  /** The host of that worker when the supervisor does not run it (pids repeat across hosts). */
  readonly host?: string | undefined;
  readonly level: Level;
  readonly note: Note;
}

import type { TrackName } from '../../tracks/protocol/events.js';

/**
 * The post-run report's shapes (`bqx-monitor report --json`, the `run_report` event, the
 * dashboard's report panel). Kept apart from the code that makes them so the run's state
 * can hold a report without importing the report's queries.
 */

/** Where a run's outcomes were read from. */
export type ReportSource =
  /** `bqx_monitor.unit_history`: every outcome the run recorded, as it recorded it. */
  | 'history'
  /** `unit_results` rows still carrying the run's id (a run older than the history). */
  | 'ledger';

/** Unit time statistics over a track's units done by the run (ms; null: none done). */
export interface UnitMs {
  readonly p50: number | null;
  readonly p90: number | null;
  readonly max: number | null;
}

/** A unit done by the run, among its track's slowest. */
export interface SlowUnit {
  readonly unit: string;
  readonly ms: number;
  readonly rows: number;
  readonly bytes: number;
  readonly host: string;
}

/** A unit whose last outcome in the run is failed, with its error. */
export interface FailedUnit {
  readonly unit: string;
  readonly error: string | null;
  readonly attempts: number;
  readonly host: string;
}

/** What one host's workers finished (final outcomes of the run). */
export interface HostCounts {
  readonly host: string;
  readonly done: number;
  readonly noData: number;
  readonly failed: number;
  readonly rows: number;
}

export interface TrackReport {
  readonly track: TrackName;
  /** Units in the run's scope (as planned; units finished by earlier runs included). */
  readonly inScope: number;
  /** Units the run itself finished, by their last outcome in the run. */
  readonly done: number;
  readonly noData: number;
  readonly failed: number;
  /** Attempts that failed and were retried within the run (the unit ended otherwise later). */
  readonly retriedAttempts: number;
  readonly rows: number;
  readonly bytes: number;
  readonly unitMs: UnitMs;
  /** The five slowest units done, slowest first. */
  readonly slowest: readonly SlowUnit[];
  readonly failures: readonly FailedUnit[];
  /** Per host, most units first. */
  readonly hosts: readonly HostCounts[];
  /**
   * Why the units it finished ran: units per kind of reason (`never run`, `values changed`,
   * `new rows`, …; `unknown` for outcomes recorded before reasons were kept), the most
   * first. Absent from the reports of older versions.
   */
  readonly reasons?: Readonly<Record<string, number>>;
}

export interface RunReport {
  readonly runId: string;
  /** complete, failed, interrupted, running, or "stopped unexpectedly". */
  readonly status: string;
  readonly startedAt: string;
  readonly finishedAt: string | null;
  /** From start to end (to now while it runs). */
  readonly wallSeconds: number;
  /** The supervisor's host. */
  readonly host: string;
  readonly exitCode: number | null;
  readonly message: string | null;
  readonly source: ReportSource;
  /** What a reader must know about the figures (a fallback, a run still going), if anything. */
  readonly note: string | null;
  readonly tracks: readonly TrackReport[];
  /** Per host over every track. */
  readonly hosts: readonly HostCounts[];
}

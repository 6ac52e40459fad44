import type { DoctorReport } from '../../db/preflight/doctor.js';
import type { RunReport } from '../report/reportTypes.js';
import type { TrackName } from '../../tracks/protocol/events.js';
import type { DatabaseSample } from '../sample/databaseSampler.js';
import type { SystemSample } from '../sample/systemSampler.js';
import type { Finish } from './eta.js';
import type { LinkSide, RemoteWorker, RunOutcome, RunPhase } from './events.js';
import type { Note, RecentEvent } from './notes.js';
import type { Budget, TrackHistory } from './historyTypes.js';
import { EMPTY_PACE, type PaceSeries } from './paceSeries.js';
import type { TrackStatus } from './trackMachine.js';

export const TRACK_ORDER: readonly TrackName[] = ['bollinger', 'regression', 'extraction'];

/** Recent events kept for the dashboard and snapshots. */
export const RECENT_LIMIT = 200;

/**
 * Lines of the workers' output kept (unit starts, stages, worker starts and exits, their
 * stdout / stderr lines): the tracks' logs show them, the recent-events list does not (they
 * would drown it).
 */
export const OUTPUT_LIMIT = 300;

/** Pause intervals kept per track (for the active time of rates and running units). */
export const PAUSES_KEPT = 64;

/** Finished units' timings kept per track (for the ETA's correction of its history). */
export const TIMINGS_KEPT = 500;

/** Where a running unit is, from its latest `stage` event. */
export interface StageActivity {
  readonly stage: 'load' | 'compute' | 'write';
  /** What is being computed, e.g. `idx w45`. */
  readonly detail?: string | undefined;
  readonly rows?: number | undefined;
  readonly total?: number | undefined;
}

/** A unit some worker is running now. */
export interface RunningUnit {
  readonly unit: string;
  readonly pid: number;
  readonly host: string;
  /** Run by a worker the supervisor does not run (it reached the run through the feed). */
  readonly remote: boolean;
  readonly attempt: number;
  /** Undefined until its first stage: starting. */
  readonly activity: StageActivity | undefined;
  readonly startedAt: number;
  /** Time its track spent paused since the unit started (ended pauses). */
  readonly pausedMs: number;
  readonly lastEventAt: number;
  readonly stalled: boolean;
}

/**
 * How a unit ended for good. `noData`: its source had no rows (expected, not a failure);
 * the ledger, the worker protocol (`unit_empty`) and the stored events call it `empty`,
 * translated where they enter the state (reduceWorker.ts, reduceRun.ts).
 */
export type UnitOutcome = 'done' | 'noData' | 'failed';

/** What this run itself did for a track (the rest of the counts include earlier runs). */
export interface ThisRun {
  readonly done: number;
  readonly noData: number;
  readonly failed: number;
  readonly rows: number;
  readonly bytes: number;
}

/** What this run's workers on one host finished (for the hosts line and `status`). */
export interface HostTally {
  /** When a unit of this host was first seen starting or finishing. */
  readonly since: number;
  readonly done: number;
  readonly noData: number;
  readonly failed: number;
  /** Its finished units (done or no data) for its rate, trimmed to the rate window. */
  readonly finishes: readonly Finish[];
}

/** A closed interval of epoch ms. */
export interface Interval {
  readonly from: number;
  readonly to: number;
}

export interface TrackState {
  readonly track: TrackName;
  /** Units in scope; `done`, `noData`, `failed` and `rows`, `bytes` include earlier runs. */
  readonly total: number;
  readonly done: number;
  readonly noData: number;
  readonly failed: number;
  /** Units finished before that this run recomputes: their inputs or code changed since. */
  readonly stale: number;
  /** Failed attempts that the queue will retry. */
  readonly retries: number;
  readonly rows: number;
  readonly bytes: number;
  readonly thisRun: ThisRun;
  readonly running: readonly RunningUnit[];
  /** Units finished by this run (for rates), newest last, trimmed to the rate window. */
  readonly finishes: readonly Finish[];
  /** Units this run finished, over its whole run (the throughput sparkline). */
  readonly pace: PaceSeries;
  /** This run's time at work of its finished units (done or no data), the latest kept. */
  readonly timings: ReadonlyArray<{ readonly unit: string; readonly ms: number }>;
  readonly finishedUnits: ReadonlySet<string>;
  /** Units this run counted failed for good (what `R` gives back to the queue). */
  readonly failedUnits: readonly string[];
  readonly startedAt: number | undefined;
  readonly workers: readonly number[];
  /** At most this many workers run for it: planned, then changed live by `+` / `-`. */
  readonly plannedWorkers: number;
  /** The status the supervisor's state machine last published, and why. */
  readonly status: TrackStatus;
  readonly statusReason: string;
  /** Since when it is paused (undefined: not paused), and its ended pauses. */
  readonly pausedSince: number | undefined;
  readonly pauses: readonly Interval[];
  readonly crashes: number;
  /** The latest finished unit (done, no data, or failed for good). */
  readonly lastFinished: Note | undefined;
}

/** How the run ended, as its supervisor published it. */
export interface RunEnd {
  readonly status: RunOutcome;
  readonly exitCode: number;
  readonly message: string | undefined;
}

export interface RunState {
  readonly runId: string | undefined;
  /** Where the supervisor runs: host, pid and (in the background) its log file. */
  readonly supervisor:
    | { readonly host: string; readonly pid: number; readonly logFile?: string }
    | undefined;
  readonly resumedFrom: string | undefined;
  readonly phase: RunPhase;
  readonly phaseDetail: string | undefined;
  /** The preflight's report, once it ran. */
  readonly preflight: DoctorReport | undefined;
  /** Since when the database has been unreachable, per side (undefined: reachable). */
  readonly unreachableSince: Readonly<Record<LinkSide, number | undefined>>;
  /** Set by a view that found the supervisor gone without finishing the run. */
  readonly lost: string | undefined;
  readonly end: RunEnd | undefined;
  /** The post-run report its supervisor published at the end, once it did. */
  readonly report: RunReport | undefined;
  readonly startedAt: number | undefined;
  /**
   * The state's clock: the time of the latest event or tick, until the run ends; then its
   * end (`endedAt`), where it stays. Every figure (elapsed time, rates, ETA, the pace
   * sparkline, the hosts' rates) is as of `now`, so an ended run's figures are those of
   * its end in every view however long it is watched.
   */
  readonly now: number;
  /** When the run ended (its `run_finished`, or when a view found it lost). */
  readonly endedAt: number | undefined;
  /** The time of the latest event or tick, never stopped: the time of day a view shows. */
  readonly clock: number;
  readonly maxAttempts: number;
  readonly stallMs: number;
  readonly tracks: Readonly<Record<TrackName, TrackState>>;
  /** Workers the supervisor does not run, as the registry lists them (`remote_workers`). */
  readonly remoteWorkers: readonly RemoteWorker[];
  /** Per host, what this run's units finished there. */
  readonly hosts: Readonly<Record<string, HostTally>>;
  /** Workers started and not yet at their first unit: pid → when it started. */
  readonly starting: Readonly<Record<number, number>>;
  /** How long this run's workers took from their start to their first unit (ms), latest kept. */
  readonly startups: readonly number[];
  /** What earlier runs recorded of the units this run has to do (for the ETA). */
  readonly history: Readonly<Record<TrackName, TrackHistory>> | undefined;
  /** How the supervisor shares the machine among the tracks. */
  readonly budget: Budget | undefined;
  readonly recent: readonly RecentEvent[];
  /** Recent events ever noted (the list keeps the last RECENT_LIMIT). */
  readonly noted: number;
  /** The workers' output (the tracks' logs), and how many lines ever (the list keeps OUTPUT_LIMIT). */
  readonly output: readonly RecentEvent[];
  readonly outputNoted: number;
  readonly system: SystemSample | undefined;
  readonly database: DatabaseSample | undefined;
  readonly finished: boolean;
  readonly interrupted: boolean;
}

const NOTHING: ThisRun = { done: 0, noData: 0, failed: 0, rows: 0, bytes: 0 };

function freshTrack(track: TrackName): TrackState {
  return {
    track,
    total: 0,
    done: 0,
    noData: 0,
    failed: 0,
    stale: 0,
    retries: 0,
    rows: 0,
    bytes: 0,
    thisRun: NOTHING,
    running: [],
    finishes: [],
    pace: EMPTY_PACE,
    timings: [],
    finishedUnits: new Set(),
    failedUnits: [],
    startedAt: undefined,
    workers: [],
    plannedWorkers: 0,
    status: 'waiting',
    statusReason: '',
    pausedSince: undefined,
    pauses: [],
    crashes: 0,
    lastFinished: undefined,
  };
}

/** The state before any event. */
export function initialState(now = 0): RunState {
  return {
    runId: undefined,
    supervisor: undefined,
    resumedFrom: undefined,
    phase: 'starting',
    phaseDetail: undefined,
    preflight: undefined,
    unreachableSince: { supervisor: undefined, view: undefined },
    lost: undefined,
    end: undefined,
    report: undefined,
    startedAt: undefined,
    now,
    endedAt: undefined,
    clock: now,
    maxAttempts: 1,
    stallMs: 120_000,
    tracks: {
      bollinger: freshTrack('bollinger'),
      regression: freshTrack('regression'),
      extraction: freshTrack('extraction'),
    },
    remoteWorkers: [],
    hosts: {},
    starting: {},
    startups: [],
    history: undefined,
    budget: undefined,
    recent: [],
    noted: 0,
    output: [],
    outputNoted: 0,
    system: undefined,
    database: undefined,
    finished: false,
    interrupted: false,
  };
}

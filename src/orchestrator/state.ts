import type { TrackName } from '../tracks/protocol/events.js';
import type { Completions } from './eta.js';

/** Lifecycle of a track as the dashboard shows it. */
export type TrackStatus =
  | 'pending'
  | 'running'
  | 'paused'
  | 'restarting'
  | 'failed'
  | 'complete'
  | 'stopped';

/** A unit some worker is working on. */
export interface RunningUnit {
  readonly unit: string;
  readonly worker: string;
  readonly stage: string;
  readonly detail: string | undefined;
  readonly rows: number | undefined;
  readonly startedAt: number;
  readonly lastEventAt: number;
  readonly stalled: boolean;
}

/** Everything shown about one track. */
export interface TrackState {
  readonly name: TrackName;
  readonly status: TrackStatus;
  readonly total: number;
  readonly done: number;
  readonly empty: number;
  readonly failed: number;
  readonly rowsDone: number;
  readonly bytesDone: number;
  readonly running: readonly RunningUnit[];
  /** The latest activity line, e.g. "eurusd/2024-09: computing w45". */
  readonly latest: string;
  readonly completions: Completions;
  /** When the first unit of this run started (for the first rate estimate). */
  readonly startedAt: number | undefined;
  readonly workers: number;
  readonly crashes: number;
}

/** A line of the recent-events log. */
export interface LogLine {
  readonly at: number;
  readonly track: TrackName | 'run';
  readonly level: 'info' | 'warn' | 'error';
  readonly text: string;
}

/** The whole run: what the dashboard and the JSON snapshots show. */
export interface RunState {
  readonly startedAt: number;
  readonly now: number;
  readonly tracks: Readonly<Record<TrackName, TrackState>>;
  readonly recent: readonly LogLine[];
  readonly warnings: number;
}

/** How many log lines the state keeps. */
export const RECENT_LINES = 200;

/** A track before its plan is known. */
export function emptyTrack(name: TrackName): TrackState {
  return {
    name,
    status: 'pending',
    total: 0,
    done: 0,
    empty: 0,
    failed: 0,
    rowsDone: 0,
    bytesDone: 0,
    running: [],
    latest: '',
    completions: [],
    startedAt: undefined,
    workers: 0,
    crashes: 0,
  };
}

/** The state at the start of a run. */
export function initialState(now: number): RunState {
  return {
    startedAt: now,
    now,
    tracks: {
      bollinger: emptyTrack('bollinger'),
      regression: emptyTrack('regression'),
      extraction: emptyTrack('extraction'),
    },
    recent: [],
    warnings: 0,
  };
}

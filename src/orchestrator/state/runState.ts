import type { TrackName, WorkerEvent } from '../../tracks/protocol/events.js';
import type { DoctorReport } from '../../db/preflight/doctor.js';
import type { DatabaseSample } from '../sample/databaseSampler.js';
import type { SystemSample } from '../sample/systemSampler.js';
import { etaSeconds, type Finish, RATE_WINDOW_MS, type Throughput, throughput } from './eta.js';
import type { LinkSide, RunEvent, RunOutcome, RunPhase } from './events.js';
import type { TrackStatus } from './trackMachine.js';

export type { TrackStatus };

export const TRACK_ORDER: readonly TrackName[] = ['bollinger', 'regression', 'extraction'];

/** A unit some worker is running now. */
export interface RunningUnit {
  readonly unit: string;
  readonly pid: number;
  readonly attempt: number;
  /** "computing w45", "writing 120,000 / 370,000 rows". */
  readonly activity: string;
  readonly startedAt: number;
  readonly lastEventAt: number;
  readonly stalled: boolean;
}

export interface TrackState {
  readonly track: TrackName;
  readonly total: number;
  readonly done: number;
  readonly empty: number;
  readonly failed: number;
  /** Failed attempts that the queue will retry. */
  readonly retries: number;
  readonly rows: number;
  readonly bytes: number;
  readonly running: readonly RunningUnit[];
  /** Units finished by this run (for rates), newest last, trimmed to the rate window. */
  readonly finishes: readonly Finish[];
  readonly finishedUnits: ReadonlySet<string>;
  readonly startedAt: number | undefined;
  readonly workers: readonly number[];
  readonly plannedWorkers: number;
  /** The status the supervisor's state machine last published, and why. */
  readonly status: TrackStatus;
  readonly statusReason: string;
  readonly crashes: number;
  /** The latest finished unit: "GBPNZD: complete, 366,311 rows, 87.2 MB, 54.5 s". */
  readonly lastFinished: string | undefined;
}

export type Level = 'info' | 'warn' | 'error';

/** A line of the recent-events list (and a track's log). */
export interface RecentEvent {
  readonly at: number;
  readonly track: TrackName | undefined;
  readonly level: Level;
  readonly text: string;
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
  readonly startedAt: number | undefined;
  readonly now: number;
  readonly maxAttempts: number;
  readonly stallMs: number;
  readonly tracks: Readonly<Record<TrackName, TrackState>>;
  readonly recent: readonly RecentEvent[];
  /** Recent events ever noted (the list keeps the last RECENT_LIMIT). */
  readonly noted: number;
  readonly system: SystemSample | undefined;
  readonly database: DatabaseSample | undefined;
  readonly finished: boolean;
  readonly interrupted: boolean;
}

/** Recent events kept for the dashboard and snapshots. */
export const RECENT_LIMIT = 200;

function emptyTrack(track: TrackName): TrackState {
  return {
    track,
    total: 0,
    done: 0,
    empty: 0,
    failed: 0,
    retries: 0,
    rows: 0,
    bytes: 0,
    running: [],
    finishes: [],
    finishedUnits: new Set(),
    startedAt: undefined,
    workers: [],
    plannedWorkers: 0,
    status: 'waiting',
    statusReason: '',
    crashes: 0,
    lastFinished: undefined,
  };
}

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
    startedAt: undefined,
    now,
    maxAttempts: 1,
    stallMs: 120_000,
    tracks: {
      bollinger: emptyTrack('bollinger'),
      regression: emptyTrack('regression'),
      extraction: emptyTrack('extraction'),
    },
    recent: [],
    noted: 0,
    system: undefined,
    database: undefined,
    finished: false,
    interrupted: false,
  };
}

/** `audcad/2024-09` → `AUDCAD 2024-09`; `gbpnzd` → `GBPNZD`. */
export function unitLabel(unit: string): string {
  const [pair, month] = unit.split('/');
  return month ? `${pair!.toUpperCase()} ${month}` : pair!.toUpperCase();
}

/** One formatter for every count (`toLocaleString` builds a new one on each call). */
const INT = new Intl.NumberFormat('en-US', { maximumFractionDigits: 0 });

/** `12,345`: activity lines and the dashboard's counts. */
export function formatCount(n: number): string {
  return INT.format(Math.round(n));
}

/** `87.2 MB`. */
export function formatBytes(n: number): string {
  const units = ['B', 'kB', 'MB', 'GB', 'TB'];
  let v = n;
  let i = 0;
  while (v >= 1000 && i < units.length - 1) {
    v /= 1000;
    i++;
  }
  return i === 0 ? `${v} B` : `${v.toFixed(1)} ${units[i]}`;
}

function stageActivity(e: Extract<WorkerEvent, { type: 'stage' }>): string {
  const verb = { load: 'loading', compute: 'computing', write: 'writing' }[e.stage];
  if (e.detail) return `${verb} ${e.detail}`;
  if (e.rows !== undefined && e.total !== undefined)
    return `${verb} ${formatCount(e.rows)} / ${formatCount(e.total)} rows`;
  if (e.rows !== undefined) return `${verb} ${formatCount(e.rows)} rows`;
  return verb;
}

/** The status badge of a track: what the supervisor's state machine published. */
export function trackStatus(t: TrackState): TrackStatus {
  return t.status;
}

/** Units of a track not yet finished. */
export function remainingUnits(t: TrackState): number {
  return Math.max(0, t.total - t.done - t.empty - t.failed);
}

/**
 * A track's measured pace. Once it has nothing left to run, the pace it finished at: it
 * must not decay with the clock while the other tracks go on.
 */
export function trackThroughput(t: TrackState, now: number): Throughput | undefined {
  const last = t.finishes.at(-1)?.at;
  const until = remainingUnits(t) === 0 && last !== undefined ? Math.min(last, now) : now;
  return throughput(t.finishes, t.startedAt, until);
}

export function trackEta(t: TrackState, now: number): number | undefined {
  return etaSeconds(remainingUnits(t), trackThroughput(t, now));
}

/** Overall fraction done (units finished over all units) and ETA (the slowest track's). */
export function overall(state: RunState): {
  total: number;
  finished: number;
  failed: number;
  eta: number | undefined;
} {
  let total = 0;
  let finished = 0;
  let failed = 0;
  let eta: number | undefined = 0;
  for (const track of TRACK_ORDER) {
    const t = state.tracks[track];
    total += t.total;
    finished += t.done + t.empty + t.failed;
    failed += t.failed;
    if (t.status === 'failed' || t.status === 'stopped') continue;
    const e = trackEta(t, state.now);
    eta = e === undefined || eta === undefined ? undefined : Math.max(eta, e);
  }
  return { total, finished, failed, eta };
}

function withTrack(state: RunState, track: TrackName, fn: (t: TrackState) => TrackState): RunState {
  return { ...state, tracks: { ...state.tracks, [track]: fn(state.tracks[track]) } };
}

function note(
  state: RunState,
  at: number,
  track: TrackName | undefined,
  level: Level,
  text: string,
): RunState {
  const recent = [...state.recent, { at, track, level, text }];
  if (recent.length > RECENT_LIMIT) recent.splice(0, recent.length - RECENT_LIMIT);
  return { ...state, recent, noted: state.noted + 1 };
}

function finish(
  t: TrackState,
  unit: string,
  at: number,
  rows: number,
): { t: TrackState; first: boolean } {
  const running = t.running.filter((r) => r.unit !== unit);
  // A unit reported twice (a job retried after its worker was presumed dead) counts once.
  if (t.finishedUnits.has(unit)) return { t: { ...t, running }, first: false };
  const finishedUnits = new Set(t.finishedUnits).add(unit);
  const finishes = [...t.finishes, { at, rows }].filter(
    (f, i, all) => f.at >= at - RATE_WINDOW_MS || i >= all.length - 3,
  );
  return { t: { ...t, running, finishedUnits, finishes }, first: true };
}

function onWorkerEvent(state: RunState, at: number, pid: number, e: WorkerEvent): RunState {
  const track = e.track;
  switch (e.type) {
    case 'worker_start':
    case 'worker_exit':
      return state;
    case 'unit_start':
      return withTrack(state, track, (t) => ({
        ...t,
        running: [
          ...t.running.filter((r) => r.unit !== e.unit),
          {
            unit: e.unit,
            pid,
            attempt: e.attempt,
            activity: 'starting',
            startedAt: at,
            lastEventAt: at,
            stalled: false,
          },
        ],
      }));
    case 'stage':
      return withTrack(state, track, (t) => ({
        ...t,
        running: t.running.map((r) =>
          r.unit === e.unit
            ? { ...r, activity: stageActivity(e), lastEventAt: at, stalled: false }
            : r,
        ),
      }));
    case 'unit_done': {
      const text = `${unitLabel(e.unit)}: complete, ${formatCount(e.rows)} rows, ${formatBytes(e.bytes)}, ${(e.ms / 1000).toFixed(1)} s`;
      let first = false;
      const next = withTrack(state, track, (t) => {
        const r = finish(t, e.unit, at, e.rows);
        first = r.first;
        if (!first) return r.t;
        return {
          ...r.t,
          done: t.done + 1,
          rows: t.rows + e.rows,
          bytes: t.bytes + e.bytes,
          lastFinished: text,
        };
      });
      return first ? note(next, at, track, 'info', text) : next;
    }
    case 'unit_empty': {
      const text = `${unitLabel(e.unit)}: no data (${e.reason})`;
      let first = false;
      const next = withTrack(state, track, (t) => {
        const r = finish(t, e.unit, at, 0);
        first = r.first;
        return first ? { ...r.t, empty: t.empty + 1, lastFinished: text } : r.t;
      });
      return first ? note(next, at, track, 'info', text) : next;
    }
    case 'unit_failed': {
      const last = e.attempt >= state.maxAttempts;
      const text = `${unitLabel(e.unit)}: failed (attempt ${e.attempt}/${state.maxAttempts}) ${e.code}: ${e.message}${last ? '' : ' — will retry'}`;
      const next = withTrack(state, track, (t) => {
        if (!last) {
          return {
            ...t,
            running: t.running.filter((r) => r.unit !== e.unit),
            retries: t.retries + 1,
          };
        }
        const r = finish(t, e.unit, at, 0);
        return r.first ? { ...r.t, failed: t.failed + 1, lastFinished: text } : r.t;
      });
      return note(next, at, track, last ? 'error' : 'warn', text);
    }
    case 'unit_interrupted':
      return note(
        withTrack(state, track, (t) => ({
          ...t,
          running: t.running.filter((r) => r.unit !== e.unit),
        })),
        at,
        track,
        'warn',
        `${unitLabel(e.unit)}: interrupted (${e.reason}); it runs again once the database is back`,
      );
    case 'warning':
      return note(
        state,
        at,
        track,
        'warn',
        `${e.unit ? `${unitLabel(e.unit)}: ` : ''}${e.message}`,
      );
  }
}

/** The pure reducer: everything the dashboard and `--json` show comes from here. */
export function reduce(state: RunState, ev: RunEvent): RunState {
  const s = ev.at > state.now ? { ...state, now: ev.at } : state;
  switch (ev.type) {
    case 'run_planned': {
      let next: RunState = {
        ...s,
        runId: ev.runId,
        startedAt: s.startedAt ?? ev.at,
        phase: 'running',
        maxAttempts: ev.maxAttempts,
        stallMs: ev.stallMs,
      };
      for (const p of ev.tracks) {
        next = withTrack(next, p.track, (t) => ({
          ...t,
          total: p.total,
          done: p.done,
          empty: p.empty,
          rows: p.rows,
          plannedWorkers: p.workers,
        }));
      }
      const todo = ev.tracks.reduce((n, p) => n + p.total - p.done - p.empty, 0);
      return note(
        next,
        ev.at,
        undefined,
        'info',
        `run ${ev.runId} planned: ${todo} unit(s) to run`,
      );
    }
    case 'worker_event':
      return onWorkerEvent(s, ev.at, ev.pid, ev.event);
    case 'worker_log':
      return note(s, ev.at, ev.track, ev.stream === 'stderr' ? 'warn' : 'info', ev.text);
    case 'child_started':
      return withTrack(s, ev.track, (t) => ({
        ...t,
        workers: [...t.workers.filter((p) => p !== ev.pid), ev.pid],
        startedAt: t.startedAt ?? ev.at,
      }));
    case 'child_exited': {
      const lost = s.tracks[ev.track].running.filter((r) => r.pid === ev.pid);
      const next = withTrack(s, ev.track, (t) => ({
        ...t,
        workers: t.workers.filter((p) => p !== ev.pid),
        running: t.running.filter((r) => r.pid !== ev.pid),
        crashes: ev.expected ? t.crashes : t.crashes + 1,
      }));
      if (ev.expected) return next;
      const how = ev.signal ? `killed by ${ev.signal}` : `exited with code ${ev.code}`;
      const units = lost.length
        ? `; ${lost.map((r) => unitLabel(r.unit)).join(', ')} will be retried`
        : '';
      return note(next, ev.at, ev.track, 'error', `worker ${ev.pid} ${how}${units}`);
    }
    case 'track_state': {
      const next = withTrack(s, ev.track, (t) => ({
        ...t,
        status: ev.status,
        statusReason: ev.reason,
        // Silence while paused is not a stall: the clock of every running unit restarts.
        running:
          t.status === 'paused' && ev.status !== 'paused'
            ? t.running.map((r) => ({ ...r, lastEventAt: ev.at, stalled: false }))
            : t.running,
      }));
      const level: Level = ev.status === 'failed' || ev.status === 'stopped' ? 'error' : 'info';
      return note(next, ev.at, ev.track, level, ev.reason);
    }
    case 'track_control':
      return note(
        s,
        ev.at,
        ev.track,
        ev.action === 'restart_backoff' ? 'warn' : 'info',
        ev.message ?? ev.action,
      );
    case 'unit_stalled': {
      const next = withTrack(s, ev.track, (t) => ({
        ...t,
        running: t.running.map((r) => (r.unit === ev.unit ? { ...r, stalled: true } : r)),
      }));
      const secs = Math.round(ev.silentMs / 1000);
      return note(
        next,
        ev.at,
        ev.track,
        'warn',
        `${unitLabel(ev.unit)}: stalled, no event for ${secs} s (worker ${ev.pid})`,
      );
    }
    case 'tick':
      return s;
    case 'run_started':
      return note(
        {
          ...s,
          runId: ev.runId,
          startedAt: s.startedAt ?? ev.at,
          supervisor: {
            host: ev.host,
            pid: ev.pid,
            ...(ev.logFile ? { logFile: ev.logFile } : {}),
          },
          resumedFrom: ev.resumedFrom,
        },
        ev.at,
        undefined,
        'info',
        `run ${ev.runId} started on ${ev.host} (pid ${ev.pid})${ev.resumedFrom ? `, carrying on run ${ev.resumedFrom}` : ''}`,
      );
    case 'run_phase':
      return { ...s, phase: ev.phase, phaseDetail: ev.detail };
    case 'preflight':
      return note(
        { ...s, preflight: ev.report },
        ev.at,
        undefined,
        ev.report.ok ? 'info' : 'error',
        ev.report.ok
          ? `preflight: the database can run all three tracks (${ev.report.tablesChecked} tables checked)`
          : `preflight: ${ev.report.problems.length} problem(s); nothing was run`,
      );
    case 'command':
      return note(
        s,
        ev.at,
        ev.track ?? undefined,
        'info',
        `${ev.action}${ev.track ? ` ${ev.track}` : ''} (from ${ev.by}): ${ev.result}`,
      );
    case 'connection': {
      const unreachableSince = {
        ...s.unreachableSince,
        [ev.side]: ev.state === 'lost' ? ev.since : undefined,
      };
      const who = ev.side === 'supervisor' ? 'supervisor' : 'this view';
      const text =
        ev.state === 'lost'
          ? `database unreachable from the ${who}${ev.error ? ` (${ev.error})` : ''}; retrying`
          : `database reachable again from the ${who} after ${Math.round((ev.at - ev.since) / 1000)} s`;
      return note(
        { ...s, unreachableSince },
        ev.at,
        undefined,
        ev.state === 'lost' ? 'error' : 'info',
        text,
      );
    }
    case 'run_lost':
      return note(
        { ...s, lost: ev.message, finished: true },
        ev.at,
        undefined,
        'error',
        `run stopped unexpectedly: ${ev.message}`,
      );
    case 'system_sample':
      return { ...s, system: ev.sample };
    case 'database_sample':
      return { ...s, database: ev.sample };
    case 'run_finished':
      return note(
        {
          ...s,
          finished: true,
          interrupted: ev.status === 'interrupted',
          end: { status: ev.status, exitCode: ev.exitCode, message: ev.message },
        },
        ev.at,
        undefined,
        ev.status === 'complete' ? 'info' : 'error',
        `run ${s.runId ?? ''} ${ev.status}${ev.message ? `: ${ev.message}` : ''} (exit ${ev.exitCode})`,
      );
  }
}

import type { Note } from '../state/notes.js';
import type { HostSummary, RunningUnit, StageActivity } from '../state/runState.js';

/** `audcad/2024-09` → `AUDCAD 2024-09`; `gbpnzd` → `GBPNZD`. */
export function unitLabel(unit: string): string {
  const [pair, month] = unit.split('/');
  return month ? `${pair!.toUpperCase()} ${month}` : pair!.toUpperCase();
}

/** One formatter for every count (`toLocaleString` builds a new one on each call). */
const INT = new Intl.NumberFormat('en-US', { maximumFractionDigits: 0 });

/** `12,345`. */
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

/** `starting`, `computing idx w45`, `writing 120,000 / 370,000 rows`. */
export function describeActivity(a: StageActivity | undefined): string {
  if (!a) return 'starting';
  const verb = { load: 'loading', compute: 'computing', write: 'writing' }[a.stage];
  if (a.detail) return `${verb} ${a.detail}`;
  if (a.rows !== undefined && a.total !== undefined)
    return `${verb} ${formatCount(a.rows)} / ${formatCount(a.total)} rows`;
  if (a.rows !== undefined) return `${verb} ${formatCount(a.rows)} rows`;
  return verb;
}

/**
 * `AUDCAD 2024-09: computing w45 (attempt 2), 12 s — STALLED`; with `withHost` (the run
 * has more than one host) `AUDCAD 2024-09 @vm-2: …`.
 */
export function describeRunning(r: RunningUnit, activeMs: number, withHost = false): string {
  const retry = r.attempt > 1 ? ` (attempt ${r.attempt})` : '';
  const stall = r.stalled ? ' — STALLED' : '';
  const where = withHost ? ` @${r.host}` : '';
  return `${unitLabel(r.unit)}${where}: ${describeActivity(r.activity)}${retry}, ${Math.round(activeMs / 1000)} s${stall}`;
}

const TRACK_SHORT = { bollinger: 'T1', regression: 'T2', extraction: 'T3' } as const;

/** `vm-1 (T1 2, T2 1) 40 done 0.8/s` (done: units done or with no data); `vm-2 (no workers) 5 done, 1 failed`. */
export function describeHost(h: HostSummary): string {
  const workers = (Object.keys(TRACK_SHORT) as (keyof typeof TRACK_SHORT)[])
    .filter((k) => h.workers[k] > 0)
    .map((k) => `${TRACK_SHORT[k]} ${h.workers[k]}`);
  const failed = h.failed > 0 ? `, ${formatCount(h.failed)} failed` : '';
  const r = h.unitsPerSec;
  const rate = r === undefined ? '' : ` ${r.toFixed(r >= 10 ? 0 : r >= 0.1 ? 1 : 2)}/s`;
  return `${h.host} (${workers.length ? workers.join(', ') : 'no workers'}) ${formatCount(h.done + h.noData)} done${failed}${rate}`;
}

const seconds = (ms: number) => `${(ms / 1000).toFixed(1)} s`;

/** What a run did: `21 done, 3 no data, 0 failed · 27 partition(s), 3 file(s) · 781.1 MB`. */
export function describeTotals(r: {
  done: number;
  noData: number;
  failed: number;
  partitions: number;
  files: number;
  bytes: number;
}): string[] {
  return [
    `${formatCount(r.done)} done, ${formatCount(r.noData)} no data, ${formatCount(r.failed)} failed`,
    `${formatCount(r.partitions)} partition(s), ${formatCount(r.files)} file(s)`,
    formatBytes(r.bytes),
  ];
}

type UnitNote = Extract<
  Note,
  {
    kind:
      | 'unit_done'
      | 'unit_no_data'
      | 'unit_failed'
      | 'unit_interrupted'
      | 'unit_stalled'
      | 'warning'
      | 'unit_started'
      | 'stage';
  }
>;

/** The line of a note about one unit (or a warning, which may name one). */
function describeUnitNote(n: UnitNote): string {
  switch (n.kind) {
    case 'unit_done':
      return `${unitLabel(n.unit)}: complete, ${formatCount(n.rows)} rows, ${formatBytes(n.bytes)}, ${seconds(n.ms)}`;
    case 'unit_no_data':
      return `${unitLabel(n.unit)}: no data (${n.reason})`;
    case 'unit_failed':
      return `${unitLabel(n.unit)}: failed (attempt ${n.attempt}/${n.maxAttempts}) ${n.code}: ${n.message}${n.final ? '' : ' — will retry'}`;
    case 'unit_interrupted':
      return `${unitLabel(n.unit)}: interrupted (${n.reason}); it runs again once the database is back`;
    case 'unit_stalled':
      return `${unitLabel(n.unit)}: stalled, no event for ${Math.round(n.silentMs / 1000)} s (worker ${n.pid})`;
    case 'warning':
      return `${n.unit ? `${unitLabel(n.unit)}: ` : ''}${n.message}`;
    case 'unit_started':
      return `${unitLabel(n.unit)}: started${n.attempt > 1 ? ` (attempt ${n.attempt})` : ''}`;
    case 'stage':
      return `${unitLabel(n.unit)}: ${describeActivity(n)}`;
  }
}

type WorkerNote = Extract<
  Note,
  { kind: 'worker_started' | 'worker_exited' | 'worker_log' | 'worker_died' | 'remote_worker' }
>;

/** The line of a note about a worker process. */
function describeWorkerNote(n: WorkerNote): string {
  switch (n.kind) {
    case 'worker_started':
      return `worker ${n.pid} started`;
    case 'worker_exited':
      return `worker ${n.pid} exited (${n.signal ? `signal ${n.signal}` : `code ${n.code}`})`;
    case 'worker_log':
      return n.text;
    case 'worker_died': {
      const how = n.signal ? `killed by ${n.signal}` : `exited with code ${n.code}`;
      const units = n.units.length ? `; ${n.units.map(unitLabel).join(', ')} will be retried` : '';
      return `worker ${n.pid} ${how}${units}`;
    }
    case 'remote_worker':
      return n.joined
        ? `worker ${n.host}:${n.pid} joined the run`
        : `worker ${n.host}:${n.pid} left the run`;
  }
}

/** Database reachability as seen by the supervisor or by this view. */
function describeConnection(n: Extract<Note, { kind: 'connection' }>): string {
  const who = n.side === 'supervisor' ? 'the supervisor' : 'this view';
  return n.state === 'lost'
    ? `database unreachable from ${who}${n.error ? ` (${n.error})` : ''}; retrying`
    : `database reachable again from ${who}${n.downMs === undefined ? '' : ` after ${Math.round(n.downMs / 1000)} s`}`;
}

type RunNote = Extract<
  Note,
  {
    kind:
      | 'track_state'
      | 'track_note'
      | 'run_started'
      | 'run_planned'
      | 'preflight'
      | 'command'
      | 'connection'
      | 'run_finished'
      | 'run_lost';
  }
>;

/** The line of a note about the run or a track as a whole. */
function describeRunNote(n: RunNote): string {
  switch (n.kind) {
    case 'track_state':
      return n.reason;
    case 'track_note':
      return n.message;
    case 'run_started':
      return `run ${n.runId} started on ${n.host} (pid ${n.pid})${n.resumedFrom ? `, carrying on run ${n.resumedFrom}` : ''}`;
    case 'run_planned':
      return `run ${n.runId} planned: ${n.todo} unit(s) to run${n.stale ? ` (${n.stale} stale: their inputs or code changed since they ran)` : ''}${n.adopted ? `; ${n.adopted} unit(s) recorded by an earlier version adopted (their counts match the sources)` : ''}`;
    case 'preflight':
      return n.ok
        ? `preflight: the database can run all three tracks (${n.tables} tables checked)`
        : `preflight: ${n.problems} problem(s); nothing was run`;
    case 'command':
      return `${n.action}${n.track ? ` ${n.track}` : ''} (from ${n.by}): ${n.result}`;
    case 'connection':
      return describeConnection(n);
    case 'run_finished':
      return `run ${n.runId ?? ''} ${n.status}${n.message ? `: ${n.message}` : ''} (exit ${n.exitCode})`;
    case 'run_lost':
      return `run stopped unexpectedly: ${n.message}`;
  }
}

/** The one line of text of a note, as the dashboard, the logs and plain output show it. */
export function describeNote(n: Note): string {
  switch (n.kind) {
    case 'unit_done':
    case 'unit_no_data':
    case 'unit_failed':
    case 'unit_interrupted':
    case 'unit_stalled':
    case 'warning':
    case 'unit_started':
    case 'stage':
      return describeUnitNote(n);
    case 'worker_started':
    case 'worker_exited':
    case 'worker_log':
    case 'worker_died':
    case 'remote_worker':
      return describeWorkerNote(n);
    default:
      return describeRunNote(n);
  }
}

import { isAlive } from '../../db/embedded/processes.js';
import type { TrackName } from '../../tracks/protocol/events.js';
import type { Liveness } from '../live/election.js';
import type { RunRecord, RunRecordStatus } from '../live/runRecord.js';
import { TRACKS } from '../plan/planUnits.js';
import { taskName } from '../queue/queueNames.js';
import type { Snapshot } from '../state/snapshot.js';
import { formatDuration } from '../state/eta.js';
import type { HostSummary } from '../state/hosts.js';
import { describeHost } from '../text/describe.js';
import { formatTimestamp } from '../text/timestamp.js';
import { readStatusFacts, type StatusFacts, type WorkerFact } from './statusFacts.js';

/** A unit at work, with the worker (and host) holding it. */
export interface RunningRow {
  readonly unit: string;
  /** `host:pid`. */
  readonly worker: string;
  readonly host: string;
  readonly pid: number;
  readonly since: string;
  /** What it is doing (from the supervisor's state; undefined for a worker it does not run). */
  readonly activity: string | undefined;
  readonly stalled: boolean;
}

export interface TrackStatusRow {
  readonly track: TrackName;
  /** The track's status as its supervisor published it (undefined for a run that never planned). */
  readonly status: string | undefined;
  readonly total: number;
  /** Finished units in scope, earlier runs included. */
  readonly done: number;
  readonly noData: number;
  readonly failed: number;
  /** Of the units this run runs, those stale since they ran (absent: older snapshot, or none). */
  readonly stale?: number;
  /** What this run did (undefined for runs of older versions). */
  readonly thisRun: Snapshot['tracks'][number]['thisRun'] | undefined;
  readonly queued: number;
  readonly running: readonly RunningRow[];
  readonly rows: number;
  readonly etaSeconds: number | null;
  /** At most this many workers run for it (changed live by `+` / `-`; null: not known). */
  readonly plannedWorkers: number | null;
}

export interface HostRow {
  readonly host: string;
  readonly workers: Readonly<Record<TrackName, number>>;
  /** Units this run finished there: done, no data, failed (0 for a run without a snapshot). */
  readonly done: number;
  readonly noData: number;
  readonly failed: number;
  readonly unitsPerSec: number | null;
}

export interface StatusReport {
  readonly run: {
    runId: string;
    /** running, complete, failed, interrupted, or "stopped unexpectedly". */
    status: string;
    /** True while its supervisor holds the run (or may still reconnect). */
    live: boolean;
    phase: string;
    exitCode: number | null;
    message: string | null;
    logFile: string | null;
    heartbeatAgeSeconds: number;
    startedAt: string;
    finishedAt: string | null;
    host: string;
    pid: number;
    etaSeconds: number | null;
    /** At most this many busy workers (a `+` past it raised it); null: not known. */
    budget: number | null;
  } | null;
  readonly tracks: readonly TrackStatusRow[];
  /**
   * The run's hosts: live worker processes per track (from the registry) and what this
   * run's units did there (from the supervisor's state); the supervisor's host first.
   */
  readonly hosts: readonly HostRow[];
  /** Live worker processes, one each (a process registers several queue ids). */
  readonly workers: ReadonlyArray<{
    track: string;
    host: string;
    pid: number;
    heartbeatAgeSeconds: number;
  }>;
}

/** The status word of a run: a `running` row whose supervisor is gone stopped unexpectedly. */
function statusText(status: RunRecordStatus, liveness: Liveness | undefined): string {
  if (status === 'lost' || liveness?.kind === 'lost') return 'stopped unexpectedly';
  if (liveness?.kind === 'reconnecting') return 'running (supervisor reconnecting)';
  return status;
}

/** Worker processes that are alive: recently heard from, and (on this host) existing. */
function liveWorkers(f: StatusFacts, alive: (pid: number) => boolean): Map<string, WorkerFact> {
  const live = new Map<string, WorkerFact>();
  for (const w of f.workers) {
    if (w.silentSeconds > f.deadAfterSeconds) continue;
    if (w.host === f.host && !alive(w.pid)) continue;
    live.set(w.workerId, w);
  }
  return live;
}

/** Per track, counts from the ledger over the run's planned units (runs without a snapshot). */
function ledgerCounts(f: StatusFacts, track: TrackName) {
  const units = f.run?.units[track] ?? [];
  let done = 0;
  let noData = 0;
  let failed = 0;
  let rows = 0;
  for (const u of units) {
    const r = f.outcomes.get(`${track}:${u}`);
    if (r?.status === 'done') {
      done++;
      rows += r.rows;
    } else if (r?.status === 'empty') noData++;
    else if (r?.status === 'failed') failed++;
  }
  return { total: units.length, done, noData, failed, rows };
}

/** A track's row: counts and status from the snapshot (else the ledger), units from the queue. */
function trackRow(
  f: StatusFacts,
  track: TrackName,
  live: ReadonlyMap<string, WorkerFact>,
): TrackStatusRow {
  const held = (j: StatusFacts['jobs'][number]) =>
    j.lockedAt !== null && !!j.lockedBy && live.has(j.lockedBy);
  const mine = f.jobs.filter((j) => j.task === taskName(track));
  const t = f.snapshot?.tracks.find((x) => x.track === track);
  const known = new Map((t?.running ?? []).map((r) => [r.unit, r]));
  const running = mine.filter(held).map((j): RunningRow => {
    const w = live.get(j.lockedBy!)!;
    const unit = j.key.slice(track.length + 1);
    const r = known.get(unit);
    return {
      unit,
      worker: `${w.host}:${w.pid}`,
      host: w.host,
      pid: w.pid,
      since: j.lockedAt!.toISOString(),
      activity: r?.activity,
      stalled: r?.stalled ?? false,
    };
  });
  const queued = mine.filter((j) => !held(j));
  const counts = t
    ? {
        total: t.total,
        done: t.done,
        noData: t.noData,
        failed: t.failed,
        rows: t.rows,
        stale: t.stale,
      }
    : ledgerCounts(f, track);
  return {
    track,
    status: t?.status,
    ...counts,
    thisRun: t?.thisRun,
    queued: queued.filter((j) => !running.some((r) => j.key.endsWith(`:${r.unit}`))).length,
    running,
    etaSeconds: t?.etaSeconds ?? null,
    plannedWorkers: t?.plannedWorkers ?? null,
  };
}

/** The run's own row: its record, how alive its supervisor is, and the snapshot's ETA. */
function runRow(f: StatusFacts, run: RunRecord): NonNullable<StatusReport['run']> {
  return {
    runId: run.runId,
    status: statusText(run.status, f.liveness),
    live: f.liveness?.kind === 'live' || f.liveness?.kind === 'reconnecting',
    phase: run.phase,
    exitCode: run.exitCode,
    message: run.message,
    logFile: run.logFile,
    heartbeatAgeSeconds: 0,
    startedAt: run.startedAt.toISOString(),
    finishedAt: run.finishedAt?.toISOString() ?? null,
    host: run.host,
    pid: run.pid,
    etaSeconds: f.snapshot?.overall.etaSeconds ?? null,
    // Snapshots of older runs have no budget.
    budget: f.snapshot?.budget ?? null,
  };
}

/**
 * The status report from its facts (pure): a live or finished run's counts, statuses,
 * running units and stalls as its supervisor's snapshot has them; queued units and units
 * held by live workers from the queue; dead workers and their locks left out.
 */
export function assembleStatus(
  f: StatusFacts,
  alive: (pid: number) => boolean = isAlive,
): StatusReport {
  const run = f.run;
  if (!run) return { run: null, tracks: [], hosts: [], workers: [] };
  const live = liveWorkers(f, alive);
  const byProcess = new Map<string, WorkerFact>();
  for (const w of live.values()) byProcess.set(`${w.host}:${w.pid}`, w);
  return {
    run: runRow(f, run),
    tracks: TRACKS.map((track) => trackRow(f, track, live)),
    hosts: hostRows(run.host, f.snapshot, [...byProcess.values()]),
    workers: [...byProcess.values()].map((w) => ({
      track: w.track,
      host: w.host,
      pid: w.pid,
      heartbeatAgeSeconds: Math.round(w.silentSeconds),
    })),
  };
}

/** Per host: its live workers per track, and what the run's snapshot has it finish. */
function hostRows(
  home: string,
  snap: Snapshot | undefined,
  workers: readonly WorkerFact[],
): HostRow[] {
  const rows = new Map<string, HostRow>();
  const row = (host: string): HostRow => {
    const known = rows.get(host);
    if (known) return known;
    // Snapshots of older versions have no hosts; its no-data count is `empty` there.
    const h = snap?.hosts?.find((x) => x.host === host);
    const fresh: HostRow = {
      host,
      workers: { bollinger: 0, regression: 0, extraction: 0 },
      done: h?.done ?? 0,
      noData: h?.empty ?? 0,
      failed: h?.failed ?? 0,
      unitsPerSec: h?.unitsPerSec ?? null,
    };
    rows.set(host, fresh);
    return fresh;
  };
  row(home);
  for (const h of snap?.hosts ?? []) row(h.host);
  for (const w of workers) {
    const r = row(w.host);
    if ((TRACKS as readonly string[]).includes(w.track))
      rows.set(w.host, {
        ...r,
        workers: { ...r.workers, [w.track]: r.workers[w.track as TrackName] + 1 },
      });
  }
  return [...rows.values()].sort((a, b) =>
    a.host === home ? -1 : b.host === home ? 1 : a.host < b.host ? -1 : 1,
  );
}

/** The last or live run, from the database alone (works from another shell or machine). */
export async function readStatus(
  client: Parameters<typeof readStatusFacts>[0],
): Promise<StatusReport> {
  const facts = await readStatusFacts(client);
  const report = assembleStatus(facts);
  if (!report.run || !facts.run) return report;
  const age = Math.max(0, Math.round((Date.now() - facts.run.heartbeatAt.getTime()) / 1000));
  return { ...report, run: { ...report.run, heartbeatAgeSeconds: age } };
}

/** A host row in the words of the dashboard's hosts line. */
function hostSummaryOf(h: HostRow): HostSummary {
  return {
    host: h.host,
    supervisor: false,
    workers: h.workers,
    running: 0,
    done: h.done,
    noData: h.noData,
    failed: h.failed,
    unitsPerSec: h.unitsPerSec ?? undefined,
  };
}

type RunSummary = NonNullable<StatusReport['run']>;

/** The run's headline: its id, status, times, host, and (live) phase or (ended) exit. */
function runLine(r: RunSummary): string {
  const when = `started ${formatTimestamp(r.startedAt)}${r.finishedAt ? `, finished ${formatTimestamp(r.finishedAt)}` : ''}`;
  const live = r.live ? `; ${r.phase}, heartbeat ${r.heartbeatAgeSeconds} s ago` : '';
  const end = r.exitCode !== null ? `; exit ${r.exitCode}${r.message ? `: ${r.message}` : ''}` : '';
  return `run ${r.runId}: ${r.status} (${when}; ${r.host} pid ${r.pid}${live}${end})`;
}

/** A track's line of counts (with its ETA while the run is live), then one per running unit. */
function trackLines(t: TrackStatusRow, live: boolean): string[] {
  const finished = t.done + t.noData + t.failed;
  const pct = t.total === 0 ? 100 : (100 * finished) / t.total;
  const badge = (t.status ?? '').toUpperCase().padEnd(10);
  const eta = live && t.etaSeconds !== null ? `, ETA ${formatDuration(t.etaSeconds)}` : '';
  const stale = t.stale ? `, stale ${t.stale}` : '';
  const lines = [
    `${t.track.padEnd(11)} ${badge} ${String(finished).padStart(5)}/${t.total} (${pct.toFixed(1)}%)  done ${t.done}, no data ${t.noData}${stale}, failed ${t.failed}, queued ${t.queued}, running ${t.running.length}${eta}`,
  ];
  for (const u of t.running) {
    const what = u.activity ? `, ${u.activity}` : '';
    lines.push(
      `             ${u.stalled ? 'STALLED' : 'running'} ${u.unit} on ${u.worker} since ${formatTimestamp(u.since)}${what}`,
    );
  }
  return lines;
}

/** The report as text. */
export function formatStatus(s: StatusReport): string {
  if (!s.run) return 'no run recorded in this database yet';
  const r = s.run;
  const lines = [runLine(r)];
  for (const t of s.tracks) lines.push(...trackLines(t, r.live));
  const hosts = new Map<string, number>();
  for (const w of s.workers) hosts.set(w.host, (hosts.get(w.host) ?? 0) + 1);
  const perHost = [...hosts].map(([h, n]) => `${h}: ${n}`).join(', ');
  const budget = r.live && r.budget !== null ? `, ${r.budget} busy at most` : '';
  lines.push(`${s.workers.length} live worker(s)${perHost ? ` (${perHost})` : ''}${budget}`);
  lines.push(`hosts: ${s.hosts.map((h) => describeHost(hostSummaryOf(h))).join(' · ')}`);
  return lines.join('\n');
}

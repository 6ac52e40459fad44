import type { TrackName } from '../../tracks/protocol/events.js';
import { TRACKS } from '../plan/planUnits.js';
import type {
  FailedUnit,
  HostCounts,
  ReportSource,
  RunReport,
  SlowUnit,
  TrackReport,
  UnitMs,
} from './reportTypes.js';
import { reasonCounts } from './reportReasons.js';

/** Slowest units listed per track. */
export const SLOWEST_LISTED = 5;

/** One recorded outcome of a unit, as the report reads it (oldest first within a run). */
export interface OutcomeRow {
  readonly track: string;
  readonly unit: string;
  readonly status: 'done' | 'empty' | 'failed';
  readonly rows: number;
  readonly bytes: number;
  readonly ms: number;
  readonly error: string | null;
  readonly attempts: number;
  readonly host: string;
  /** Why the plan ran it (`unit_history.reason`); null or absent: not recorded. */
  readonly reason?: string | null | undefined;
}

/** The run as its record has it, with its status already in words. */
export interface ReportRun {
  readonly runId: string;
  readonly status: string;
  readonly startedAt: Date;
  readonly finishedAt: Date | null;
  readonly host: string;
  readonly exitCode: number | null;
  readonly message: string | null;
  readonly units: Readonly<Partial<Record<TrackName, readonly string[]>>>;
}

/** Everything a report is made of, as read from the database. */
export interface ReportFacts {
  readonly run: ReportRun;
  readonly outcomes: readonly OutcomeRow[];
  readonly source: ReportSource;
}

/**
 * The nearest-rank percentile of `sorted` (ascending): the smallest value with at least
 * `p` % of the values at or below it, `sorted[ceil(p / 100 × n) − 1]`; always one of the
 * values (docs/decisions.md "Unit time percentiles"). Null for no values.
 */
export function nearestRank(sorted: readonly number[], p: number): number | null {
  if (sorted.length === 0) return null;
  const rank = Math.max(1, Math.ceil((p / 100) * sorted.length));
  return sorted[Math.min(rank, sorted.length) - 1]!;
}

/** p50, p90 and max of unit times (ms), in any order. */
export function unitMsOf(ms: readonly number[]): UnitMs {
  const sorted = [...ms].sort((a, b) => a - b);
  return {
    p50: nearestRank(sorted, 50),
    p90: nearestRank(sorted, 90),
    max: sorted.length === 0 ? null : sorted[sorted.length - 1]!,
  };
}

/** Each unit's last outcome in the run, and how many earlier attempts of it failed. */
function finalOutcomes(rows: readonly OutcomeRow[]) {
  const last = new Map<string, OutcomeRow>();
  const retried = new Map<string, number>();
  for (const r of rows) {
    const key = `${r.track}:${r.unit}`;
    const before = last.get(key);
    if (before?.status === 'failed') retried.set(r.track, (retried.get(r.track) ?? 0) + 1);
    last.set(key, r);
  }
  return { last: [...last.values()], retried };
}

/** Per host counts, most units first, then by name. */
function hostCounts(rows: readonly OutcomeRow[]): HostCounts[] {
  const by = new Map<string, { done: number; noData: number; failed: number; rows: number }>();
  for (const r of rows) {
    const h = by.get(r.host) ?? { done: 0, noData: 0, failed: 0, rows: 0 };
    if (r.status === 'done') {
      h.done++;
      h.rows += r.rows;
    } else if (r.status === 'empty') h.noData++;
    else h.failed++;
    by.set(r.host, h);
  }
  const total = (h: HostCounts) => h.done + h.noData + h.failed;
  return [...by]
    .map(([host, c]) => ({ host, ...c }))
    .sort((a, b) => total(b) - total(a) || a.host.localeCompare(b.host));
}

function trackReport(
  track: TrackName,
  inScope: number,
  rows: readonly OutcomeRow[],
  retriedAttempts: number,
): TrackReport {
  const done = rows.filter((r) => r.status === 'done');
  const slowest = [...done]
    .sort((a, b) => b.ms - a.ms || a.unit.localeCompare(b.unit))
    .slice(0, SLOWEST_LISTED)
    .map((r): SlowUnit => ({ unit: r.unit, ms: r.ms, rows: r.rows, bytes: r.bytes, host: r.host }));
  const failures = rows
    .filter((r) => r.status === 'failed')
    .sort((a, b) => a.unit.localeCompare(b.unit))
    .map((r): FailedUnit => ({ unit: r.unit, error: r.error, attempts: r.attempts, host: r.host }));
  return {
    track,
    inScope,
    done: done.length,
    noData: rows.filter((r) => r.status === 'empty').length,
    failed: failures.length,
    retriedAttempts,
    rows: done.reduce((n, r) => n + r.rows, 0),
    bytes: done.reduce((n, r) => n + r.bytes, 0),
    unitMs: unitMsOf(done.map((r) => r.ms)),
    slowest,
    failures,
    hosts: hostCounts(rows),
    reasons: reasonCounts(rows.map((r) => r.reason)),
  };
}

/** Why the figures may differ from what the run did, if they may. */
function noteOf(f: ReportFacts): string | null {
  if (f.source === 'ledger')
    return 'recorded before bqx-monitor kept an outcome history: these are the unit_results rows still carrying this run, so units redone by later runs are missing';
  if (f.run.status === 'running') return 'the run is still going: the figures so far';
  return null;
}

/**
 * The post-run report (pure): per track the units the run finished by their last outcome
 * in it (done, no data, failed), rows and bytes written, unit time p50 / p90 / max over the
 * units done, the five slowest, the failures with their errors, per-host counts, and why
 * its units ran (by kind of reason).
 */
export function summarizeRun(f: ReportFacts, now: Date = new Date()): RunReport {
  const { last, retried } = finalOutcomes(f.outcomes);
  const end = f.run.finishedAt ?? now;
  return {
    runId: f.run.runId,
    status: f.run.status,
    startedAt: f.run.startedAt.toISOString(),
    finishedAt: f.run.finishedAt?.toISOString() ?? null,
    wallSeconds: Math.max(0, (end.getTime() - f.run.startedAt.getTime()) / 1000),
    host: f.run.host,
    exitCode: f.run.exitCode,
    message: f.run.message,
    source: f.source,
    note: noteOf(f),
    tracks: TRACKS.map((t) =>
      trackReport(
        t,
        f.run.units[t]?.length ?? 0,
        last.filter((r) => r.track === t),
        retried.get(t) ?? 0,
      ),
    ),
    hosts: hostCounts(last),
  };
}

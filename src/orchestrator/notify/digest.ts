import { maskUrl } from '../../db/connection/target.js';
import type { RunReport, TrackReport } from '../report/reportTypes.js';

/**
 * The one message a run's end sends (webhook body, the notify command's `BQX_SUMMARY`):
 * made from the post-run report the run publishes (`run_report`), pure. The webhook gets
 * it whole: a Slack-compatible `text` and the structured figures beside it.
 */

/** Error lines kept per failed unit (the end of a stack or a PostgreSQL message). */
export const ERROR_LINES_KEPT = 5;
/** Characters kept per error line. */
const LINE_CHARS = 300;
/** Failed units listed in the digest (the rest are counted). */
export const FAILURES_LISTED = 20;

/**
 * What a digest is about: a run's end, a run found lost, a track that gave up, or a follow
 * (`run --follow`) stopped between its runs.
 */
export type DigestStatus =
  | 'complete'
  | 'failed'
  | 'interrupted'
  | 'lost'
  | 'track_failed'
  | 'stopped';

/** A track's counts as the digest carries them: those of the post-run report. */
export type DigestTrack = Pick<
  TrackReport,
  'track' | 'inScope' | 'done' | 'noData' | 'failed' | 'retriedAttempts' | 'rows' | 'bytes'
>;

export interface DigestFailure {
  readonly track: string;
  readonly unit: string;
  readonly attempts: number;
  readonly host: string;
  /** The last lines of its error, oldest first. */
  readonly errorTail: readonly string[];
}

export interface RunDigest {
  /** Slack-compatible message text (mrkdwn). */
  readonly text: string;
  /** One line: the run, its end and its counts (`BQX_SUMMARY`). */
  readonly summary: string;
  readonly runId: string;
  readonly status: DigestStatus;
  readonly exitCode: number | null;
  readonly message: string | null;
  readonly host: string | null;
  readonly startedAt: string | null;
  readonly finishedAt: string | null;
  readonly wallSeconds: number | null;
  readonly tracks: readonly DigestTrack[];
  readonly failures: readonly DigestFailure[];
  /** Failed units beyond those listed. */
  readonly moreFailures: number;
  /** The command that retries the failed units (a new run does them again); null: none failed. */
  readonly retryCommand: string | null;
}

/** What the digest is made of: the end as the supervisor knows it, and its report if made. */
export interface DigestInput {
  readonly runId: string;
  readonly status: DigestStatus;
  readonly exitCode: number | null;
  readonly message: string | null;
  /** Undefined when the report could not be made (the database was away). */
  readonly report: RunReport | undefined;
  /** How to retry, e.g. `bqx-monitor run --detach`. */
  readonly retryCommand: string;
}

/** The last `ERROR_LINES_KEPT` non-empty lines of an error, each cut, URLs masked. */
export function errorTail(error: string | null): string[] {
  if (!error) return [];
  return error
    .split(/\r?\n/)
    .map((l) => l.trimEnd())
    .filter((l) => l.trim().length > 0)
    .slice(-ERROR_LINES_KEPT)
    .map((l) => maskSecrets(l).slice(0, LINE_CHARS));
}

/** Masks the password of any URL in a text (an error may quote a connection string). */
export function maskSecrets(text: string): string {
  return text.replace(/[a-z][a-z0-9+.-]*:\/\/\S+/gi, (u) => maskUrl(u));
}

/** Seconds as `1h 02m`, `3m 07s`, `12s`. */
export function formatWall(seconds: number): string {
  const s = Math.round(seconds);
  const h = Math.floor(s / 3600);
  const m = Math.floor((s % 3600) / 60);
  if (h > 0) return `${h}h ${String(m).padStart(2, '0')}m`;
  if (m > 0) return `${m}m ${String(s % 60).padStart(2, '0')}s`;
  return `${s}s`;
}

const WORDS: Record<DigestStatus, string> = {
  complete: 'complete',
  failed: 'failed',
  interrupted: 'stopped',
  lost: 'stopped unexpectedly',
  track_failed: 'has a track that gave up',
  stopped: 'ended a follow',
};

function trackWords(t: DigestTrack): string {
  const parts = [`${t.done} done`];
  if (t.noData > 0) parts.push(`${t.noData} no data`);
  if (t.failed > 0) parts.push(`${t.failed} failed`);
  return `${t.track} ${parts.join(', ')}`;
}

function summaryOf(i: DigestInput, tracks: readonly DigestTrack[]): string {
  const exit = i.exitCode === null ? '' : ` (exit ${i.exitCode})`;
  const wall = i.report ? ` in ${formatWall(i.report.wallSeconds)}` : '';
  const counts = tracks.length > 0 ? `: ${tracks.map(trackWords).join('; ')}` : '';
  const why = i.message ? ` (${maskSecrets(i.message)})` : '';
  return `bqx-monitor run ${i.runId} ${WORDS[i.status]}${exit}${wall}${counts}${why}`;
}

function textOf(d: Omit<RunDigest, 'text'>): string {
  const lines = [`*${d.summary}*`];
  for (const f of d.failures) {
    lines.push(`• ${f.track} ${f.unit} failed after ${f.attempts} attempt(s) on ${f.host}`);
    for (const l of f.errorTail) lines.push(`    ${l}`);
  }
  if (d.moreFailures > 0) lines.push(`… and ${d.moreFailures} more failed unit(s)`);
  if (d.retryCommand) lines.push(`Retry the failed units: \`${d.retryCommand}\``);
  return lines.join('\n');
}

/** The digest of a run's end (pure). */
export function buildDigest(i: DigestInput): RunDigest {
  const r = i.report;
  const tracks: DigestTrack[] = (r?.tracks ?? []).map((t) => ({
    track: t.track,
    inScope: t.inScope,
    done: t.done,
    noData: t.noData,
    failed: t.failed,
    retriedAttempts: t.retriedAttempts,
    rows: t.rows,
    bytes: t.bytes,
  }));
  const all: DigestFailure[] = (r?.tracks ?? []).flatMap((t) =>
    t.failures.map((f) => ({
      track: t.track,
      unit: f.unit,
      attempts: f.attempts,
      host: f.host,
      errorTail: errorTail(f.error),
    })),
  );
  const base = {
    summary: summaryOf(i, tracks),
    runId: i.runId,
    status: i.status,
    exitCode: i.exitCode,
    message: i.message === null ? null : maskSecrets(i.message),
    host: r?.host ?? null,
    startedAt: r?.startedAt ?? null,
    finishedAt: r?.finishedAt ?? null,
    wallSeconds: r?.wallSeconds ?? null,
    tracks,
    failures: all.slice(0, FAILURES_LISTED),
    moreFailures: Math.max(0, all.length - FAILURES_LISTED),
    retryCommand: all.length > 0 ? i.retryCommand : null,
  };
  return { text: textOf(base), ...base };
}

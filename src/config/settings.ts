import type { z } from 'zod';
import { type Month, parseMonth } from './months.js';
import { parseInterval } from './interval.js';
import type { ConfigFile } from './schema.js';
import type { ScopeNarrowing } from './scopeFlags.js';
import { TABLE_KEYS, type TableKey } from './tableKeys.js';

/** A month span, both ends included. */
export interface MonthSpan {
  readonly from: Month;
  readonly to: Month;
}

/** The configuration after validation and defaults, as the rest of the program sees it. */
export interface Settings {
  readonly schema: string;
  /** Configured pairs; undefined means "the dataset's pairs, else all 28". */
  readonly pairs: readonly string[] | undefined;
  readonly months: { readonly bollinger?: MonthSpan; readonly regression?: MonthSpan };
  /** Physical table-name templates containing `{pair}`. */
  readonly tables: Readonly<Record<TableKey, string>>;
  /** Logical → physical column renames per table. */
  readonly columns: Readonly<Record<TableKey, Readonly<Record<string, string>>>>;
  readonly bollingerInput: string;
  readonly compression: 'zstd' | 'snappy' | 'none';
  readonly databaseUrl: string | undefined;
  readonly dataDir: string | undefined;
  readonly outDir: string | undefined;
  readonly run: RunSettings;
  readonly follow: FollowSettings;
  readonly notify: NotifySettings;
  readonly runs: RetentionSettings;
  /**
   * What the command line's `--tracks`, `--pairs`, `--from`, `--to` narrow this command's
   * scope to (never from the file: a backfill of a range without editing it).
   */
  readonly narrowing?: ScopeNarrowing;
}

/** Who is told of a run's end (config key `notify`, docs/notifications.md). */
export interface NotifySettings {
  /** An executable and its arguments (no shell); undefined: none. */
  readonly command: readonly string[] | undefined;
  /** A URL the run's digest is POSTed to; undefined: none. */
  readonly webhook: string | undefined;
  /** How long the command, and the webhook with its retries, may take. */
  readonly timeoutSeconds: number;
}

/** How many past runs' logs and events are kept (config key `runs`). */
export interface RetentionSettings {
  readonly keep: number;
  /** At most this many megabytes of run logs; undefined: no size limit. */
  readonly keepMegabytes: number | undefined;
}

/** How `run --follow` bounds its load (config key `follow`, docs/configuration.md). */
export interface FollowSettings {
  /** Track 3's files are rewritten at most once per this many milliseconds (default 1h). */
  readonly extractionEveryMs: number;
}

/** `follow.extractionEvery` when the config does not say. */
export const DEFAULT_EXTRACTION_EVERY = '1h';

/** How the orchestrator runs (config key `run`, docs/configuration.md). */
export interface RunSettings {
  /** Busy workers at once across all tracks; undefined = the machine's cores. */
  readonly maxWorkers: number | undefined;
  /** At most this many worker processes per track; undefined = up to `maxWorkers`. */
  readonly workers: {
    readonly bollinger?: number;
    readonly regression?: number;
    readonly extraction?: number;
  };
  /** Attempts per unit before it counts as failed (the queue retries with backoff). */
  readonly maxAttempts: number;
  /** Crashes of a track's workers tolerated before the track is marked failed. */
  readonly maxRestarts: number;
  /** A running unit silent this long is flagged as stalled. */
  readonly stallSeconds: number;
  /** Period of the state snapshots in `--json` mode. */
  readonly snapshotSeconds: number;
  /** An unreachable database is waited out this long before the run (or a worker) gives up. */
  readonly databaseTimeoutSeconds: number;
  /** The supervisor serves Prometheus metrics on this port; undefined: it does not. */
  readonly metricsPort: number | undefined;
  /** The address the metrics endpoint binds to (default 127.0.0.1). */
  readonly metricsHost: string;
}

/** Default physical name of every logical table. */
export const DEFAULT_TABLES: Readonly<Record<TableKey, string>> = Object.fromEntries(
  TABLE_KEYS.map((k) => [k, `${k}_{pair}`]),
) as Record<TableKey, string>;

/** Formats zod issues as one line each: `file: path: message`. */
export function describeIssues(source: string, issues: readonly z.core.$ZodIssue[]): string {
  return issues
    .map((i) => {
      const path = i.path.map((p) => (typeof p === 'number' ? `[${p}]` : `.${String(p)}`)).join('');
      return `${source}: ${path.replace(/^\./, '') || '(top level)'}: ${i.message}`;
    })
    .join('\n');
}

function span(s: { from: string; to: string } | undefined): MonthSpan | undefined {
  if (!s) return undefined;
  return { from: parseMonth(s.from)!, to: parseMonth(s.to)! };
}

/** A validated interval in milliseconds (the schema refused any other). */
function intervalMs(text: string): number {
  const parsed = parseInterval(text);
  if ('error' in parsed) throw new Error(parsed.error);
  return parsed.ms;
}

/** A validated config file with the defaults filled in (no file: all defaults). */
export function toSettings(c: ConfigFile): Settings {
  const tables = { ...DEFAULT_TABLES, ...(c.tables ?? {}) } as Record<TableKey, string>;
  const columns = Object.fromEntries(
    TABLE_KEYS.map((k) => [k, { ...(c.columns?.[k] ?? {}) }]),
  ) as Record<TableKey, Record<string, string>>;
  return {
    schema: c.schema ?? 'bqx',
    pairs: c.pairs ? [...new Set(c.pairs)] : undefined,
    months: { bollinger: span(c.months?.bollinger), regression: span(c.months?.regression) },
    tables,
    columns,
    bollingerInput: c.bollinger?.inputColumn ?? 'w15_bqx_return',
    compression: c.extraction?.compression ?? 'zstd',
    databaseUrl: c.database?.url,
    dataDir: c.dataDir,
    outDir: c.outDir,
    run: {
      workers: { ...(c.run?.workers ?? {}) },
      maxWorkers: c.run?.maxWorkers,
      maxAttempts: c.run?.maxAttempts ?? 3,
      maxRestarts: c.run?.maxRestarts ?? 5,
      stallSeconds: c.run?.stallSeconds ?? 120,
      snapshotSeconds: c.run?.snapshotSeconds ?? 5,
      databaseTimeoutSeconds: c.run?.databaseTimeoutSeconds ?? 600,
      metricsPort: c.run?.metricsPort,
      metricsHost: c.run?.metricsHost ?? '127.0.0.1',
    },
    follow: {
      extractionEveryMs: intervalMs(c.follow?.extractionEvery ?? DEFAULT_EXTRACTION_EVERY),
    },
    notify: {
      command: c.notify?.command,
      webhook: c.notify?.webhook,
      timeoutSeconds: c.notify?.timeoutSeconds ?? 10,
    },
    runs: { keep: c.runs?.keep ?? 20, keepMegabytes: c.runs?.keepMegabytes },
  };
}

import type pg from 'pg';
import type { MonthSpan, Settings } from '../config/load.js';
import { compareMonths, formatMonth, type Month, parseMonth } from '../config/months.js';
import { ALL_PAIRS } from '../config/pairs.js';
import type { ScopeNarrowing } from '../config/scopeFlags.js';
import { UserError } from '../config/userError.js';
import type { TrackName } from './contract/tables.js';

/** bqx-monitor's own bookkeeping schema (dataset description, later the work ledger). */
export const META_SCHEMA = 'bqx_monitor';

/** What the demo seeder recorded about the dataset it made. */
export interface DatasetInfo {
  readonly pairs: readonly string[];
  readonly bollinger: MonthSpan;
  readonly regression: MonthSpan;
  readonly preset: string;
  readonly seed: number;
}

/** The pairs and month spans a run covers. */
export interface Scope {
  readonly pairs: readonly string[];
  /** A span whose `from` is after its `to` has no month (`--from/--to` outside it). */
  readonly bollinger: MonthSpan;
  readonly regression: MonthSpan;
  /** Only these tracks (`--tracks`); undefined: all three. */
  readonly tracks?: ReadonlySet<TrackName>;
}

/** docs/spec/SCHEMA.md's plan at the seed's scale: 2024-01..2025-12 and 2024-07..2025-06. */
export const DEFAULT_SPANS = {
  bollinger: { from: parseMonth('2024-01')!, to: parseMonth('2025-12')! },
  regression: { from: parseMonth('2024-07')!, to: parseMonth('2025-06')! },
} as const;

/** Reads the seeder's dataset record, if this database has one this role may read. */
export async function readDataset(client: pg.ClientBase): Promise<DatasetInfo | undefined> {
  const exists = await client.query(
    `SELECT 1 FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
      WHERE n.nspname = $1 AND c.relname = 'dataset'
        AND has_schema_privilege(n.oid, 'USAGE') AND has_table_privilege(c.oid, 'SELECT')`,
    [META_SCHEMA],
  );
  if (exists.rowCount === 0) return undefined;
  const r = await client.query(
    `SELECT pairs, bollinger_from, bollinger_to, regression_from, regression_to, preset, seed
       FROM ${META_SCHEMA}.dataset WHERE id = 1`,
  );
  const row = r.rows[0];
  if (!row) return undefined;
  const span = (a: string, b: string): MonthSpan => ({ from: parseMonth(a)!, to: parseMonth(b)! });
  return {
    pairs: row.pairs,
    bollinger: span(row.bollinger_from, row.bollinger_to),
    regression: span(row.regression_from, row.regression_to),
    preset: row.preset,
    seed: Number(row.seed),
  };
}

/**
 * Config wins; else the seeded dataset's description; else docs/spec/SCHEMA.md's defaults;
 * then narrowed by the command line's scope flags (`settings.narrowing`).
 */
export function resolveScope(settings: Settings, dataset: DatasetInfo | undefined): Scope {
  const configured: Scope = {
    pairs: settings.pairs ?? dataset?.pairs ?? ALL_PAIRS,
    bollinger: settings.months.bollinger ?? dataset?.bollinger ?? DEFAULT_SPANS.bollinger,
    regression: settings.months.regression ?? dataset?.regression ?? DEFAULT_SPANS.regression,
  };
  return settings.narrowing ? narrowScope(configured, settings.narrowing) : configured;
}

const later = (a: Month, b: Month) => (compareMonths(a, b) >= 0 ? a : b);
const earlier = (a: Month, b: Month) => (compareMonths(a, b) <= 0 ? a : b);

/** Whether a span has a month at all. */
export function spanHasMonths(s: MonthSpan): boolean {
  return compareMonths(s.from, s.to) <= 0;
}

/**
 * The scope narrowed to `--tracks`, `--pairs` and `--from/--to`: pairs must be among the
 * scope's own; months narrow Tracks 1 and 2 only (Track 3 works per pair). A narrowing that
 * leaves no month to either month track is refused (exit 2), as is an unknown pair.
 */
export function narrowScope(scope: Scope, n: ScopeNarrowing): Scope {
  const unknown = (n.pairs ?? []).filter((p) => !scope.pairs.includes(p));
  if (unknown.length > 0) {
    const shown = scope.pairs.length <= 8 ? scope.pairs.join(', ') : `${scope.pairs.length} pairs`;
    throw new UserError(
      `--pairs: ${unknown.map((p) => JSON.stringify(p)).join(', ')} not among the configured pairs (${shown})`,
    );
  }
  const span = (s: MonthSpan): MonthSpan => ({
    from: n.from ? later(s.from, n.from) : s.from,
    to: n.to ? earlier(s.to, n.to) : s.to,
  });
  const narrowed: Scope = {
    pairs: n.pairs ? scope.pairs.filter((p) => n.pairs!.includes(p)) : scope.pairs,
    bollinger: span(scope.bollinger),
    regression: span(scope.regression),
    ...(n.tracks ? { tracks: new Set(n.tracks) } : scope.tracks ? { tracks: scope.tracks } : {}),
  };
  const monthTracks = (['bollinger', 'regression'] as const).filter(
    (t) => !narrowed.tracks || narrowed.tracks.has(t),
  );
  if (
    (n.from || n.to) &&
    monthTracks.length > 0 &&
    !monthTracks.some((t) => spanHasMonths(narrowed[t]))
  ) {
    const window = `${n.from ? formatMonth(n.from) : ''}..${n.to ? formatMonth(n.to) : ''}`;
    const spans = monthTracks.map((t) => `${t} ${describeSpan(scope[t])}`).join(', ');
    throw new UserError(`--from/--to ${window}: no configured month is in it (${spans})`);
  }
  return narrowed;
}

/** `2024-07..2024-09`, or `no month` for an empty span. */
export function describeSpan(s: MonthSpan): string {
  if (!spanHasMonths(s)) return 'no month';
  return `${formatMonth(s.from)}..${formatMonth(s.to)}`;
}

/** `3 pairs (eurusd, gbpusd, usdjpy); bollinger 2024-07..2024-09; regression …`. */
export function describeScopeLine(s: Scope): string {
  const pairs = s.pairs.length <= 6 ? ` (${s.pairs.join(', ')})` : '';
  const only = s.tracks ? `; only ${[...s.tracks].join(', ')}` : '';
  return `${s.pairs.length} pairs${pairs}; bollinger ${describeSpan(s.bollinger)}; regression ${describeSpan(s.regression)}${only}`;
}

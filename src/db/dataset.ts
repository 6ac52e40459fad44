import type pg from 'pg';
import type { MonthSpan, Settings } from '../config/load.js';
import { formatMonth, parseMonth } from '../config/months.js';
import { ALL_PAIRS } from '../config/pairs.js';

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
  readonly bollinger: MonthSpan;
  readonly regression: MonthSpan;
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

/** Config wins; else the seeded dataset's description; else docs/spec/SCHEMA.md's defaults. */
export function resolveScope(settings: Settings, dataset: DatasetInfo | undefined): Scope {
  return {
    pairs: settings.pairs ?? dataset?.pairs ?? ALL_PAIRS,
    bollinger: settings.months.bollinger ?? dataset?.bollinger ?? DEFAULT_SPANS.bollinger,
    regression: settings.months.regression ?? dataset?.regression ?? DEFAULT_SPANS.regression,
  };
}

/** `2024-07..2024-09`. */
export function describeSpan(s: MonthSpan): string {
  return `${formatMonth(s.from)}..${formatMonth(s.to)}`;
}

/** `3 pairs (eurusd, gbpusd, usdjpy); bollinger 2024-07..2024-09; regression …`. */
export function describeScopeLine(s: Scope): string {
  const pairs = s.pairs.length <= 6 ? ` (${s.pairs.join(', ')})` : '';
  return `${s.pairs.length} pairs${pairs}; bollinger ${describeSpan(s.bollinger)}; regression ${describeSpan(s.regression)}`;
}

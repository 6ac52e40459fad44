import { expect } from 'vitest';
import type { CliResult } from './cli.js';
import { type JsonLine, parseJsonLines } from './pipeline.js';
import type { TestDatabase } from './testDatabase.js';

/** Runs the CLI on a test database (its URL, config and output directory already bound). */
export type BoundCli = (args: string[]) => Promise<CliResult>;

/** A run to its end with `--json`: exit 0, status complete, and its summary line. */
export async function runComplete(cli: BoundCli, extra: string[] = []): Promise<JsonLine> {
  const r = await cli(['run', '--json', ...extra]);
  expect(r.exitCode, r.stderr).toBe(0);
  const summary = parseJsonLines(r.stdout).at(-1)!;
  expect(summary.kind).toBe('summary');
  expect(summary['status']).toBe('complete');
  return summary;
}

/** The units a run computed, keyed `track:unit`, with the reason the plan gave. */
export async function ranIn(db: TestDatabase, runId: unknown): Promise<Record<string, string>> {
  const r = await db.pool.query<{ k: string; reason: string | null }>(
    `SELECT track || ':' || unit AS k, reason FROM bqx_monitor.unit_history WHERE run_id = $1`,
    [runId],
  );
  return Object.fromEntries(r.rows.map((x) => [x.k, x.reason ?? '']));
}

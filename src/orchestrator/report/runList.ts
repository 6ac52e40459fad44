import type pg from 'pg';
import { META_SCHEMA } from '../../db/dataset.js';
import { recentRuns } from '../live/runRecord.js';
import { formatDuration } from '../state/eta.js';
import { statusWord } from './reportFacts.js';
import { formatTimestamp } from '../text/timestamp.js';

/** One past (or the live) run, as `bqx-monitor runs` lists it. */
export interface RunListRow {
  readonly runId: string;
  readonly status: string;
  readonly startedAt: string;
  readonly finishedAt: string | null;
  /** From start to end (to now while it runs). */
  readonly wallSeconds: number;
  readonly host: string;
  readonly exitCode: number | null;
  /** Units in scope, and those the run finished by their last outcome in it. */
  readonly units: {
    readonly inScope: number;
    readonly done: number;
    readonly noData: number;
    readonly failed: number;
  };
}

type Counts = { done: number; noData: number; failed: number };

/**
 * Per run, its units' last outcomes counted: from `unit_history`, else (runs older than the
 * history) from the `unit_results` rows still carrying the run's id.
 */
async function countOutcomes(
  client: pg.ClientBase,
  runIds: readonly string[],
): Promise<Map<string, Counts>> {
  const out = new Map<string, Counts>();
  const add = (rows: Array<{ run_id: string; status: string; n: number }>) => {
    for (const r of rows) {
      const c = out.get(r.run_id) ?? { done: 0, noData: 0, failed: 0 };
      if (r.status === 'done') c.done += r.n;
      else if (r.status === 'empty') c.noData += r.n;
      else c.failed += r.n;
      out.set(r.run_id, c);
    }
  };
  const has = async (t: string) =>
    Boolean(
      (await client.query('SELECT to_regclass($1) AS t', [`${META_SCHEMA}.${t}`])).rows[0]?.t,
    );
  if (await has('unit_history')) {
    const h = await client.query(
      `SELECT run_id, status, count(*)::int AS n FROM (
         SELECT DISTINCT ON (run_id, track, unit) run_id, status FROM ${META_SCHEMA}.unit_history
          WHERE run_id = ANY($1) ORDER BY run_id, track, unit, id DESC) last
        GROUP BY run_id, status`,
      [runIds],
    );
    add(h.rows);
  }
  const older = runIds.filter((id) => !out.has(id));
  if (older.length > 0 && (await has('unit_results'))) {
    const l = await client.query(
      `SELECT run_id, status, count(*)::int AS n FROM ${META_SCHEMA}.unit_results
        WHERE run_id = ANY($1) GROUP BY run_id, status`,
      [older],
    );
    add(l.rows);
  }
  return out;
}

/** The newest `limit` runs, newest first (read-only: none on a database never run on). */
export async function listRuns(
  client: pg.ClientBase,
  limit: number,
  now: Date = new Date(),
): Promise<RunListRow[]> {
  const runs = await recentRuns(client, limit);
  if (runs.length === 0) return [];
  const counts = await countOutcomes(
    client,
    runs.map((r) => r.runId),
  );
  const rows: RunListRow[] = [];
  for (const r of runs) {
    const end = r.finishedAt ?? now;
    const c = counts.get(r.runId) ?? { done: 0, noData: 0, failed: 0 };
    rows.push({
      runId: r.runId,
      status: await statusWord(client, r),
      startedAt: r.startedAt.toISOString(),
      finishedAt: r.finishedAt?.toISOString() ?? null,
      wallSeconds: Math.max(0, (end.getTime() - r.startedAt.getTime()) / 1000),
      host: r.host,
      exitCode: r.exitCode,
      units: {
        inScope: Object.values(r.units).reduce((n, us) => n + (us?.length ?? 0), 0),
        ...c,
      },
    });
  }
  return rows;
}

const time = formatTimestamp;

/** The list as a text table (newest first). */
export function formatRuns(rows: readonly RunListRow[]): string {
  if (rows.length === 0) return 'no run recorded in this database yet';
  const head = [
    'run',
    'status',
    'started (UTC)',
    'finished (UTC)',
    'wall',
    'units',
    'done',
    'no data',
    'failed',
  ];
  const body = rows.map((r) => [
    r.runId,
    r.status,
    time(r.startedAt),
    time(r.finishedAt),
    formatDuration(r.wallSeconds),
    String(r.units.inScope),
    String(r.units.done),
    String(r.units.noData),
    String(r.units.failed),
  ]);
  const widths = head.map((h, i) => Math.max(h.length, ...body.map((b) => b[i]!.length)));
  // Text columns to the left, figures to the right.
  const cell = (v: string, i: number) => (i < 4 ? v.padEnd(widths[i]!) : v.padStart(widths[i]!));
  return [head, ...body].map((line) => line.map(cell).join('  ').trimEnd()).join('\n');
}

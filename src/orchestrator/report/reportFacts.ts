import os from 'node:os';
import type pg from 'pg';
import { META_SCHEMA } from '../../db/dataset.js';
import { judgeRun, probeLiveness } from '../live/election.js';
import { latestRun, type RunRecord, readRun } from '../live/runRecord.js';
import type { OutcomeRow, ReportFacts, ReportRun } from './runReport.js';

async function exists(client: pg.ClientBase, name: string): Promise<boolean> {
  const r = await client.query('SELECT to_regclass($1) AS t', [name]);
  return Boolean(r.rows[0]?.t);
}

/** A run's status in words: a `running` row whose supervisor is gone stopped unexpectedly. */
export async function statusWord(client: pg.ClientBase, run: RunRecord): Promise<string> {
  if (run.status === 'lost') return 'stopped unexpectedly';
  if (run.status !== 'running') return run.status;
  const liveness = judgeRun(run, await probeLiveness(client, os.hostname()));
  return liveness.kind === 'lost' ? 'stopped unexpectedly' : 'running';
}

/** The record as the report reads it. */
export function reportRunOf(run: RunRecord, status: string): ReportRun {
  return {
    runId: run.runId,
    status,
    startedAt: run.startedAt,
    finishedAt: run.finishedAt,
    host: run.host,
    exitCode: run.exitCode,
    message: run.message,
    units: run.units,
  };
}

const OUTCOME_COLUMNS = 'track, unit, status, rows, bytes, ms, error, attempts, host';

/** Whether `table` has `column` (a database not yet migrated lacks the newer ones). */
async function hasColumn(client: pg.ClientBase, table: string, column: string): Promise<boolean> {
  const r = await client.query(
    `SELECT 1 FROM pg_attribute
      WHERE attrelid = to_regclass($1) AND attname = $2 AND NOT attisdropped`,
    [table, column],
  );
  return r.rows.length > 0;
}

type Row = Omit<OutcomeRow, 'rows' | 'bytes'> & { rows: string; bytes: string };

const fromRow = (r: Row): OutcomeRow => ({ ...r, rows: Number(r.rows), bytes: Number(r.bytes) });

/**
 * A run's recorded outcomes, oldest first: every one from `unit_history`, or, for a run
 * recorded before the history existed, the `unit_results` rows that still carry its id.
 */
export async function readRunOutcomes(
  client: pg.ClientBase,
  runId: string,
): Promise<Pick<ReportFacts, 'outcomes' | 'source'>> {
  const history = `${META_SCHEMA}.unit_history`;
  if (await exists(client, history)) {
    // Why each unit ran (migration step 7); rows of older runs have none.
    const reason = (await hasColumn(client, history, 'reason')) ? 'reason' : 'NULL::text AS reason';
    const h = await client.query<Row>(
      `SELECT ${OUTCOME_COLUMNS}, ${reason} FROM ${META_SCHEMA}.unit_history WHERE run_id = $1 ORDER BY id`,
      [runId],
    );
    if (h.rows.length > 0) return { outcomes: h.rows.map(fromRow), source: 'history' };
  }
  const hasLedger = await exists(client, `${META_SCHEMA}.unit_results`);
  const l = hasLedger
    ? await client.query<Row>(
        `SELECT ${OUTCOME_COLUMNS} FROM ${META_SCHEMA}.unit_results WHERE run_id = $1 ORDER BY finished_at`,
        [runId],
      )
    : { rows: [] };
  return l.rows.length > 0
    ? { outcomes: l.rows.map(fromRow), source: 'ledger' }
    : { outcomes: [], source: 'history' };
}

/** What a lookup of a run found. */
export type FoundFacts =
  | { readonly kind: 'found'; readonly facts: ReportFacts }
  | { readonly kind: 'unknown'; readonly runId: string }
  | { readonly kind: 'none' };

/** The facts of the report of `runId`, or of the latest run when undefined (read-only). */
export async function readReportFacts(
  client: pg.ClientBase,
  runId: string | undefined,
): Promise<FoundFacts> {
  const run = runId === undefined ? await latestRun(client) : await readRun(client, runId);
  if (!run) return runId === undefined ? { kind: 'none' } : { kind: 'unknown', runId };
  const recorded = reportRunOf(run, await statusWord(client, run));
  return { kind: 'found', facts: { run: recorded, ...(await readRunOutcomes(client, run.runId)) } };
}

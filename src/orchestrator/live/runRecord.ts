import type pg from 'pg';
import { META_SCHEMA } from '../../db/dataset.js';
import type { TrackName } from '../../tracks/protocol/events.js';
import type { RunOutcome, RunPhase } from '../state/events.js';

/** A run's row status: `running` while its supervisor lives; `lost` once found gone. */
export type RunRecordStatus = 'running' | RunOutcome | 'lost';

/** A run as recorded in `bqx_monitor.runs`, readable by any process on any host. */
export interface RunRecord {
  readonly runId: string;
  readonly startedAt: Date;
  readonly finishedAt: Date | null;
  readonly status: RunRecordStatus;
  readonly phase: RunPhase;
  readonly host: string;
  readonly pid: number;
  /** The supervisor's session holding the live-run lock (changes when it reconnects). */
  readonly backendPid: number | null;
  readonly heartbeatAt: Date;
  readonly exitCode: number | null;
  readonly message: string | null;
  readonly logFile: string | null;
  readonly resumedFrom: string | null;
  /** Units in scope per track, as planned (empty until planned). */
  readonly units: Readonly<Partial<Record<TrackName, readonly string[]>>>;
}

const COLUMNS = `run_id, started_at, finished_at, status, phase, host, pid, backend_pid, heartbeat_at,
  exit_code, message, log_file, resumed_from, units`;

function fromRow(row: Record<string, unknown>): RunRecord {
  return {
    runId: row['run_id'] as string,
    startedAt: row['started_at'] as Date,
    finishedAt: (row['finished_at'] as Date | null) ?? null,
    status: row['status'] as RunRecordStatus,
    phase: row['phase'] as RunPhase,
    host: row['host'] as string,
    pid: row['pid'] as number,
    backendPid: (row['backend_pid'] as number | null) ?? null,
    heartbeatAt: row['heartbeat_at'] as Date,
    exitCode: (row['exit_code'] as number | null) ?? null,
    message: (row['message'] as string | null) ?? null,
    logFile: (row['log_file'] as string | null) ?? null,
    resumedFrom: (row['resumed_from'] as string | null) ?? null,
    units: (row['units'] as RunRecord['units']) ?? {},
  };
}

/** A run id that sorts by time and is unique enough across machines: `20261125-123000-4f2a`. */
export function newRunId(now = new Date()): string {
  const t = now.toISOString().replace(/[-:]/g, '').replace('T', '-').slice(0, 15);
  return `${t}-${Math.floor(Math.random() * 0x10000)
    .toString(16)
    .padStart(4, '0')}`;
}

/** Records a run that starts now, supervised by this session (`pg_backend_pid()`). */
export async function insertRun(
  client: pg.ClientBase,
  r: { runId: string; host: string; pid: number; logFile?: string; resumedFrom?: string },
): Promise<void> {
  await client.query(
    `INSERT INTO ${META_SCHEMA}.runs (run_id, status, phase, host, pid, backend_pid, log_file, resumed_from)
     VALUES ($1, 'running', 'starting', $2, $3, pg_backend_pid(), $4, $5)`,
    [r.runId, r.host, r.pid, r.logFile ?? null, r.resumedFrom ?? null],
  );
}

/** Records the units in scope once planned. */
export async function setRunUnits(
  client: pg.ClientBase,
  runId: string,
  units: Readonly<Record<TrackName, readonly string[]>>,
): Promise<void> {
  await client.query(`UPDATE ${META_SCHEMA}.runs SET units = $2 WHERE run_id = $1`, [
    runId,
    JSON.stringify(units),
  ]);
}

/**
 * The supervisor's heartbeat: its phase and the latest state snapshot, from the session
 * holding the lock. False when the row is no longer this run's to write (marked lost by
 * a supervisor that took over).
 */
export async function beatRun(
  client: pg.ClientBase,
  runId: string,
  phase: RunPhase,
  snapshot: unknown,
): Promise<boolean> {
  const r = await client.query(
    `UPDATE ${META_SCHEMA}.runs SET heartbeat_at = now(), phase = $2, snapshot = $3,
            backend_pid = pg_backend_pid()
      WHERE run_id = $1 AND status = 'running'`,
    [runId, phase, JSON.stringify(snapshot)],
  );
  return (r.rowCount ?? 0) > 0;
}

/** Records how a run ended. */
export async function endRun(
  client: pg.ClientBase,
  runId: string,
  end: { status: RunOutcome; exitCode: number; message?: string | undefined; snapshot?: unknown },
): Promise<void> {
  await client.query(
    `UPDATE ${META_SCHEMA}.runs SET status = $2, exit_code = $3, message = $4, finished_at = now(),
            phase = 'running', snapshot = coalesce($5, snapshot)
      WHERE run_id = $1`,
    [
      runId,
      end.status,
      end.exitCode,
      end.message ?? null,
      end.snapshot === undefined ? null : JSON.stringify(end.snapshot),
    ],
  );
}

/** Marks a run whose supervisor is gone as lost. */
export async function markLost(client: pg.ClientBase, runId: string, message: string) {
  await client.query(
    `UPDATE ${META_SCHEMA}.runs SET status = 'lost', message = $2, finished_at = heartbeat_at
      WHERE run_id = $1 AND status = 'running'`,
    [runId, message],
  );
}

async function hasRunsTable(client: pg.ClientBase): Promise<boolean> {
  const r = await client.query(`SELECT to_regclass($1) AS t`, [`${META_SCHEMA}.runs`]);
  return Boolean(r.rows[0]?.t);
}

/** One run, if recorded. */
export async function readRun(
  client: pg.ClientBase,
  runId: string,
): Promise<RunRecord | undefined> {
  if (!(await hasRunsTable(client))) return undefined;
  const r = await client.query(`SELECT ${COLUMNS} FROM ${META_SCHEMA}.runs WHERE run_id = $1`, [
    runId,
  ]);
  return r.rows[0] ? fromRow(r.rows[0]) : undefined;
}

/** PostgreSQL's undefined_table: no run was ever recorded in this database. */
const UNDEFINED_TABLE = '42P01';

/**
 * One run and its latest snapshot, in one statement: a view reads both every second
 * (readRun and runSnapshot are three). Undefined when the run, or the table, is not there.
 */
export async function readRunWithSnapshot(
  client: pg.ClientBase,
  runId: string,
): Promise<{ run: RunRecord; snapshot: unknown } | undefined> {
  try {
    const r = await client.query(
      `SELECT ${COLUMNS}, snapshot FROM ${META_SCHEMA}.runs WHERE run_id = $1`,
      [runId],
    );
    const row = r.rows[0];
    return row ? { run: fromRow(row), snapshot: row.snapshot ?? undefined } : undefined;
  } catch (err) {
    if ((err as { code?: string }).code === UNDEFINED_TABLE) return undefined;
    throw err;
  }
}

/** The latest run, if any (read-only: none on a database bqx-monitor never ran on). */
export async function latestRun(client: pg.ClientBase): Promise<RunRecord | undefined> {
  return (await recentRuns(client, 1))[0];
}

/** Runs, newest first. */
export async function recentRuns(client: pg.ClientBase, limit: number): Promise<RunRecord[]> {
  if (!(await hasRunsTable(client))) return [];
  const r = await client.query(
    `SELECT ${COLUMNS} FROM ${META_SCHEMA}.runs ORDER BY started_at DESC, run_id DESC LIMIT $1`,
    [limit],
  );
  return r.rows.map(fromRow);
}

/** Runs still recorded `running` (at most one of them can be live). */
export async function runningRuns(client: pg.ClientBase): Promise<RunRecord[]> {
  if (!(await hasRunsTable(client))) return [];
  const r = await client.query(
    `SELECT ${COLUMNS} FROM ${META_SCHEMA}.runs WHERE status = 'running' ORDER BY started_at DESC`,
  );
  return r.rows.map(fromRow);
}

/** The latest state snapshot a run's supervisor published (its heartbeat's). */
export async function runSnapshot(client: pg.ClientBase, runId: string): Promise<unknown> {
  const r = await client.query(`SELECT snapshot FROM ${META_SCHEMA}.runs WHERE run_id = $1`, [
    runId,
  ]);
  return r.rows[0]?.snapshot ?? undefined;
}

/**
 * Removes the records of all but the newest `keep` runs (a run still `running` is never
 * removed): their rows, published events and commands (cascading), and their outcome
 * history (`unit_history`, which only their reports read; `unit_results`, the ledger,
 * stays). Returns the removed run ids, oldest first.
 */
export async function pruneRuns(client: pg.ClientBase, keep: number): Promise<string[]> {
  if (!(await hasRunsTable(client))) return [];
  const history = await client.query('SELECT to_regclass($1) AS t', [
    `${META_SCHEMA}.unit_history`,
  ]);
  const old = `SELECT run_id FROM ${META_SCHEMA}.runs WHERE status <> 'running' AND run_id NOT IN (
      SELECT run_id FROM ${META_SCHEMA}.runs ORDER BY started_at DESC, run_id DESC LIMIT $1)`;
  const r = await client.query<{ run_id: string; started_at: Date }>(
    `WITH old AS (${old}),
     ${history.rows[0]?.t ? `gone AS (DELETE FROM ${META_SCHEMA}.unit_history WHERE run_id IN (SELECT run_id FROM old)),` : ''}
     removed AS (DELETE FROM ${META_SCHEMA}.runs WHERE run_id IN (SELECT run_id FROM old)
       RETURNING run_id, started_at)
     SELECT run_id, started_at FROM removed ORDER BY started_at, run_id`,
    [keep],
  );
  return r.rows.map((x) => x.run_id);
}

import os from 'node:os';
import type pg from 'pg';
import { META_SCHEMA } from '../../db/dataset.js';
import type { TrackName } from '../../tracks/protocol/events.js';

/** A run as recorded in `bqx_monitor.runs`, so `status` can show it from another shell. */
export interface RunRecord {
  readonly runId: string;
  readonly startedAt: Date;
  readonly finishedAt: Date | null;
  readonly status: 'running' | 'complete' | 'failed' | 'interrupted';
  readonly host: string;
  readonly pid: number;
  /** Units in scope per track, as planned. */
  readonly units: Readonly<Record<TrackName, readonly string[]>>;
}

export async function ensureRunsTable(client: pg.ClientBase): Promise<void> {
  await client.query(`CREATE SCHEMA IF NOT EXISTS ${META_SCHEMA}`);
  await client.query(`CREATE TABLE IF NOT EXISTS ${META_SCHEMA}.runs (
      run_id text PRIMARY KEY,
      started_at timestamptz NOT NULL DEFAULT now(),
      finished_at timestamptz,
      status text NOT NULL CHECK (status IN ('running', 'complete', 'failed', 'interrupted')),
      host text NOT NULL,
      pid int NOT NULL,
      units jsonb NOT NULL)`);
}

/** A run id that sorts by time and is unique enough across machines: `20261125-123000-4f2a`. */
export function newRunId(now = new Date()): string {
  const t = now.toISOString().replace(/[-:]/g, '').replace('T', '-').slice(0, 15);
  return `${t}-${Math.floor(Math.random() * 0x10000)
    .toString(16)
    .padStart(4, '0')}`;
}

export async function recordRunStart(
  client: pg.ClientBase,
  runId: string,
  units: Readonly<Record<TrackName, readonly string[]>>,
): Promise<void> {
  await client.query(
    `INSERT INTO ${META_SCHEMA}.runs (run_id, status, host, pid, units) VALUES ($1, 'running', $2, $3, $4)`,
    [runId, os.hostname(), process.pid, JSON.stringify(units)],
  );
}

export async function recordRunEnd(
  client: pg.ClientBase,
  runId: string,
  status: RunRecord['status'],
): Promise<void> {
  await client.query(
    `UPDATE ${META_SCHEMA}.runs SET status = $2, finished_at = now() WHERE run_id = $1`,
    [runId, status],
  );
}

/** The latest run, if any. */
export async function latestRun(client: pg.ClientBase): Promise<RunRecord | undefined> {
  const exists = await client.query(`SELECT to_regclass($1) AS t`, [`${META_SCHEMA}.runs`]);
  if (!exists.rows[0]?.t) return undefined;
  const r = await client.query(
    `SELECT run_id, started_at, finished_at, status, host, pid, units FROM ${META_SCHEMA}.runs
      ORDER BY started_at DESC, run_id DESC LIMIT 1`,
  );
  const row = r.rows[0];
  if (!row) return undefined;
  return {
    runId: row.run_id,
    startedAt: row.started_at,
    finishedAt: row.finished_at,
    status: row.status,
    host: row.host,
    pid: row.pid,
    units: row.units,
  };
}

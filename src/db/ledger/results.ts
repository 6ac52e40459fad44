import type pg from 'pg';
import { META_SCHEMA } from '../dataset.js';
import type { Fingerprint } from '../fingerprint/fingerprint.js';

/** How a unit ended (docs/spec/SCHEMA.md units; "empty" is the seed's expected "No data"). */
export type UnitStatus = 'done' | 'empty' | 'failed';

/** One unit's recorded outcome. */
export interface UnitOutcome {
  readonly track: string;
  readonly unit: string;
  readonly status: UnitStatus;
  readonly rows: number;
  readonly bytes: number;
  readonly ms: number;
  readonly error?: string | undefined;
  readonly attempt: number;
  readonly host: string;
  readonly worker: string;
  /** Track 3: the absolute directory its file was written to (verify looks there). */
  readonly outDir?: string | undefined;
  /**
   * Data-quality counts of the unit (rows dropped and why, non-finite values per column,
   * values that overflowed), as its events reported them; shown by `verify`.
   */
  readonly details?: Readonly<Record<string, unknown>> | undefined;
  /**
   * The unit's inputs as it read them (its snapshot), with its code version and output
   * settings: what the next plan compares the sources with (docs/freshness.md).
   */
  readonly fingerprint?: Fingerprint | undefined;
}

/**
 * Records an outcome: the unit's latest in `unit_results`, and one more row of the
 * append-only `unit_history` (a past run's report must not change when a later run redoes
 * its units), in one statement, so both or neither. Called inside the unit's write
 * transaction for "done", so the data and its record commit together. The outcome belongs
 * to the database's live run, if any (at most one: the election), whichever host its
 * worker is on. The history row takes the reason the plan gave for running the unit
 * (`unit_reasons`), for the post-run report.
 */
export async function recordOutcome(client: pg.ClientBase, o: UnitOutcome): Promise<void> {
  await client.query(
    `WITH latest AS (
       INSERT INTO ${META_SCHEMA}.unit_results (track, unit, status, rows, bytes, ms, error, attempts, host, worker, out_dir, details, fingerprint, run_id)
       VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13,
         (SELECT run_id FROM ${META_SCHEMA}.runs WHERE status = 'running' ORDER BY started_at DESC LIMIT 1))
       ON CONFLICT (track, unit) DO UPDATE SET status = $3, rows = $4, bytes = $5, ms = $6,
         error = $7, attempts = $8, host = $9, worker = $10, out_dir = $11, details = $12,
         fingerprint = $13, run_id = EXCLUDED.run_id, finished_at = now()
       RETURNING run_id, finished_at)
     INSERT INTO ${META_SCHEMA}.unit_history (run_id, track, unit, status, rows, bytes, ms, error, attempts, host, worker, finished_at, reason)
     SELECT run_id, $1, $2, $3, $4, $5, $6, $7, $8, $9, $10, finished_at,
       (SELECT reason FROM ${META_SCHEMA}.unit_reasons WHERE track = $1 AND unit = $2) FROM latest`,
    [
      o.track,
      o.unit,
      o.status,
      o.rows,
      o.bytes,
      o.ms,
      o.error ?? null,
      o.attempt,
      o.host,
      o.worker,
      o.outDir ?? null,
      o.details === undefined ? null : JSON.stringify(o.details),
      o.fingerprint === undefined ? null : JSON.stringify(o.fingerprint),
    ],
  );
}

/**
 * Corrects a done unit's recorded time to its time at work: its worker cannot tell the
 * time it spent stopped by a pause, its supervisor can (the data and the rest stay).
 */
export async function correctUnitMs(
  client: pg.ClientBase,
  track: string,
  unit: string,
  ms: number,
): Promise<void> {
  await client.query(
    `WITH latest AS (
       UPDATE ${META_SCHEMA}.unit_results SET ms = $3
        WHERE track = $1 AND unit = $2 AND status = 'done' RETURNING track)
     UPDATE ${META_SCHEMA}.unit_history SET ms = $3
      WHERE id = (SELECT max(id) FROM ${META_SCHEMA}.unit_history WHERE track = $1 AND unit = $2)
        AND status = 'done' AND EXISTS (SELECT 1 FROM latest)`,
    [track, unit, ms],
  );
}

/** A unit's outcome recorded done or no data at or after `since` (ISO time), if any. */
export async function finishedSince(
  client: pg.ClientBase,
  track: string,
  unit: string,
  since: string | undefined,
): Promise<{ status: 'done' | 'empty'; rows: number; bytes: number; ms: number } | undefined> {
  if (!since) return undefined;
  const r = await client.query(
    `SELECT status, rows, bytes, ms FROM ${META_SCHEMA}.unit_results
      WHERE track = $1 AND unit = $2 AND status IN ('done', 'empty') AND finished_at >= $3::timestamptz`,
    [track, unit, since],
  );
  const row = r.rows[0];
  return row
    ? { status: row.status, rows: Number(row.rows), bytes: Number(row.bytes), ms: Number(row.ms) }
    : undefined;
}

/** A unit's recorded outcome as progress, resume, `status` and `verify` read it. */
export interface RecordedOutcome {
  readonly status: UnitStatus;
  readonly rows: number;
  readonly error: string | null;
  /** Where Track 3 wrote its file (absolute), when recorded. */
  readonly outDir?: string | null;
  /** Data-quality counts the unit reported, when recorded. */
  readonly details?: Readonly<Record<string, unknown>> | null;
  /** The inputs it read (null: recorded before fingerprints, or failed). */
  readonly fingerprint?: Fingerprint | null;
}

/** Every recorded outcome, keyed `track:unit` (none on a database bqx-monitor never ran on). */
export async function readOutcomes(client: pg.ClientBase): Promise<Map<string, RecordedOutcome>> {
  const exists = await client.query('SELECT to_regclass($1) AS t', [`${META_SCHEMA}.unit_results`]);
  if (!exists.rows[0]?.t) return new Map();
  // Every column: a database upgraded by an older version has fewer of them.
  const r = await client.query<{
    track: string;
    unit: string;
    status: UnitStatus;
    rows: string;
    error: string | null;
    out_dir?: string | null;
    details?: Record<string, unknown> | null;
    fingerprint?: Fingerprint | null;
  }>(`SELECT * FROM ${META_SCHEMA}.unit_results`);
  return new Map(
    r.rows.map((x) => [
      `${x.track}:${x.unit}`,
      {
        status: x.status,
        rows: Number(x.rows),
        error: x.error,
        outDir: x.out_dir ?? null,
        details: x.details ?? null,
        fingerprint: x.fingerprint ?? null,
      },
    ]),
  );
}

/** The units a run wrote (status done), as its end-of-run ANALYZE needs them. */
export async function unitsDoneInRun(
  client: pg.ClientBase,
  runId: string,
): Promise<Array<{ track: string; unit: string }>> {
  const r = await client.query<{ track: string; unit: string }>(
    `SELECT track, unit FROM ${META_SCHEMA}.unit_results WHERE run_id = $1 AND status = 'done'`,
    [runId],
  );
  return r.rows;
}

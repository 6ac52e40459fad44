import os from 'node:os';
import type pg from 'pg';
import { META_SCHEMA } from '../../db/dataset.js';
import { type RecordedOutcome, readOutcomes } from '../../db/ledger/results.js';
import { judgeRun, type Liveness, probeLiveness } from '../live/election.js';
import { latestRun, type RunRecord, runSnapshot } from '../live/runRecord.js';
import { QUEUE_SCHEMA } from '../queue/queueNames.js';
import { DEAD_AFTER_MS } from '../queue/workerRegistry.js';
import type { Snapshot } from '../state/snapshot.js';

/** A job of the queue still to run, or running (locked). */
export interface JobFact {
  readonly task: string;
  readonly key: string;
  readonly lockedBy: string | null;
  readonly lockedAt: Date | null;
}

/** A row of the worker registry, with how long it has been silent. */
export interface WorkerFact {
  readonly workerId: string;
  readonly track: string;
  readonly host: string;
  readonly pid: number;
  /** Seconds since its last heartbeat, or since the server started when that is later. */
  readonly silentSeconds: number;
}

/** Everything `status` reports, as read from the database in one go (read-only). */
export interface StatusFacts {
  readonly run: RunRecord | undefined;
  readonly liveness: Liveness | undefined;
  /** The supervisor's latest state snapshot (its heartbeat's, or the one it ended with). */
  readonly snapshot: Snapshot | undefined;
  readonly outcomes: ReadonlyMap<string, RecordedOutcome>;
  readonly jobs: readonly JobFact[];
  readonly workers: readonly WorkerFact[];
  /** Silence after which a worker counts as gone. */
  readonly deadAfterSeconds: number;
  readonly host: string;
}

async function exists(client: pg.ClientBase, name: string): Promise<boolean> {
  const r = await client.query('SELECT to_regclass($1) AS t', [name]);
  return Boolean(r.rows[0]?.t);
}

/** Reads the facts of `status` (a database bqx-monitor never ran on has none). */
export async function readStatusFacts(client: pg.ClientBase): Promise<StatusFacts> {
  const host = os.hostname();
  const run = await latestRun(client);
  const base = {
    outcomes: new Map(),
    jobs: [],
    workers: [],
    deadAfterSeconds: DEAD_AFTER_MS / 1000,
    host,
  };
  if (!run) return { run, liveness: undefined, snapshot: undefined, ...base };
  const liveness = judgeRun(run, await probeLiveness(client, host));
  const snapshot = (await runSnapshot(client, run.runId)) as Snapshot | undefined;
  const outcomes = await readOutcomes(client);
  const jobs = (await exists(client, `${QUEUE_SCHEMA}.jobs`))
    ? (
        await client.query<{
          task: string;
          key: string;
          locked_by: string | null;
          locked_at: Date | null;
        }>(
          `SELECT task_identifier AS task, key, locked_by, locked_at FROM ${QUEUE_SCHEMA}.jobs
            WHERE attempts < max_attempts OR locked_at IS NOT NULL`,
        )
      ).rows.map((j) => ({
        task: j.task,
        key: j.key,
        lockedBy: j.locked_by,
        lockedAt: j.locked_at,
      }))
    : [];
  const workers = (await exists(client, `${META_SCHEMA}.workers`))
    ? (
        await client.query<{
          worker_id: string;
          track: string;
          host: string;
          pid: number;
          silent: number;
        }>(
          `SELECT worker_id, track, host, pid,
                  extract(epoch FROM now() - greatest(heartbeat_at, pg_postmaster_start_time()))::float8 AS silent
             FROM ${META_SCHEMA}.workers ORDER BY track, host, pid`,
        )
      ).rows.map((w) => ({
        workerId: w.worker_id,
        track: w.track,
        host: w.host,
        pid: w.pid,
        silentSeconds: w.silent,
      }))
    : [];
  return { ...base, run, liveness, snapshot, outcomes, jobs, workers };
}

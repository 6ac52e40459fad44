import { Logger, runMigrations } from 'graphile-worker';
import type pg from 'pg';
import type { TrackName } from '../../tracks/protocol/events.js';
import { removeFailedJobs, replanJobs } from './privateJobs.js';
import { jobKey, QUEUE_SCHEMA, taskName } from './queueNames.js';
import type { PlannedUnit } from '../plan/planUnits.js';

/** What a unit's job carries. */
export interface UnitPayload {
  readonly unit: string;
  /** When the unit was planned: a result recorded after it means the unit is done. */
  readonly plannedAt: string;
}

/** Installs or upgrades the queue's schema (idempotent; graphile-worker's own migrations). */
export async function migrateQueue(pool: pg.Pool): Promise<void> {
  await runMigrations({ pgPool: pool, logger: queueLogger() });
}

/**
 * Enqueues units in one statement. A unit that already has a job (queued, retrying or
 * running, even on another machine) keeps it: `unsafe_dedupe` adds nothing then, so a
 * re-plan never duplicates work. A job that failed for good is removed first so the new
 * run retries it with fresh attempts. Returns how many jobs were new.
 */
export async function enqueueUnits(
  client: pg.ClientBase,
  units: readonly PlannedUnit[],
  maxAttempts: number,
): Promise<number> {
  if (units.length === 0) return 0;
  const keys = units.map((u) => jobKey(u.track, u.unit));
  await removeFailedJobs(client, keys);
  await replanJobs(client, keys);
  const before = await client.query<{ n: string }>(
    `SELECT count(*) AS n FROM ${QUEUE_SCHEMA}.jobs WHERE key = ANY($1::text[])`,
    [keys],
  );
  await client.query(
    `SELECT ${QUEUE_SCHEMA}.add_job(identifier => t.task, payload => json_build_object('unit', t.unit, 'plannedAt', now()),
              max_attempts => $4::int, job_key => t.key, job_key_mode => 'unsafe_dedupe')
       FROM unnest($1::text[], $2::text[], $3::text[]) AS t(task, unit, key)`,
    [units.map((u) => taskName(u.track)), units.map((u) => u.unit), keys, maxAttempts],
  );
  return units.length - Number(before.rows[0]?.n ?? 0);
}

/** Jobs of a track still to run or running (a job that failed for good no longer counts). */
export async function pendingJobs(client: pg.ClientBase, track: TrackName): Promise<number> {
  const r = await client.query<{ n: string }>(
    `SELECT count(*) AS n FROM ${QUEUE_SCHEMA}.jobs
      WHERE task_identifier = $1 AND attempts < max_attempts`,
    [taskName(track)],
  );
  return Number(r.rows[0]?.n ?? 0);
}

/**
 * graphile-worker's logger: nothing on stdout (it carries protocol events only); errors and
 * warnings go to `sink` (a worker sends them to stderr, which the supervisor shows as log).
 */
export function queueLogger(sink: (level: string, message: string) => void = () => {}): Logger {
  return new Logger(() => (level, message) => sink(level, message));
}

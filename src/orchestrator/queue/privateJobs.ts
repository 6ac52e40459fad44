import type pg from 'pg';
import { QUEUE_SCHEMA } from './queueNames.js';

/*
 * Writes to graphile-worker's private jobs table, for what its public functions cannot do.
 * They are kept here, in one place, and pinned by test/orchestrator/queue/privateJobs.test.ts,
 * which fails if an upgrade of graphile-worker changes what they rely on.
 */

/**
 * Releases the jobs locked by workers that were stopped at once on a user's request
 * (`stop --now`) and gives their attempt back: the unit was interrupted, it did not fail.
 * (graphile-worker's `force_unlock_workers` releases them but keeps the attempt counted.)
 */
export async function releaseInterruptedJobs(
  client: pg.ClientBase,
  workerIds: readonly string[],
): Promise<number> {
  if (workerIds.length === 0) return 0;
  const r = await client.query(
    `UPDATE ${QUEUE_SCHEMA}._private_jobs
        SET locked_at = NULL, locked_by = NULL, attempts = greatest(attempts - 1, 0)
      WHERE locked_by = ANY($1::text[])`,
    [workerIds],
  );
  return r.rowCount ?? 0;
}

/** Removes the jobs of `keys` that failed for good (not locked): a new plan retries them. */
export async function removeFailedJobs(client: pg.ClientBase, keys: readonly string[]) {
  await client.query(
    `DELETE FROM ${QUEUE_SCHEMA}._private_jobs
      WHERE key = ANY($1::text[]) AND locked_at IS NULL AND attempts >= max_attempts`,
    [keys],
  );
}

/**
 * Marks the waiting jobs of `keys` planned now (their payload's `plannedAt`): a unit kept
 * from an earlier plan is to be (re)done from here, attempts and all else unchanged.
 * (`add_job`'s `replace` mode would also reset the attempts.)
 */
export async function replanJobs(client: pg.ClientBase, keys: readonly string[]) {
  await client.query(
    `UPDATE ${QUEUE_SCHEMA}._private_jobs
        SET payload = (payload::jsonb || jsonb_build_object('plannedAt', now()))::json
      WHERE key = ANY($1::text[]) AND locked_at IS NULL`,
    [keys],
  );
}

import type pg from 'pg';
import { META_SCHEMA } from '../../db/dataset.js';
import { QUEUE_SCHEMA } from './queueNames.js';

/** Heartbeat period, and the silence after which a worker counts as dead. */
export const HEARTBEAT_MS = 10_000;
export const DEAD_AFTER_MS = 30_000;

/*
 * Live workers: `bqx_monitor.workers`, one row per queue worker id (db/migrations), refreshed
 * by a heartbeat. A worker whose heartbeat is older than the timeout is dead (killed, its
 * machine gone): its locked jobs are released for another worker (graphile-worker alone
 * would keep them locked 4 h).
 */

/** Registers (or refreshes) a queue worker of this process. */
export async function registerWorker(
  client: pg.ClientBase,
  w: { workerId: string; track: string; host: string; pid: number },
): Promise<void> {
  await client.query(
    `INSERT INTO ${META_SCHEMA}.workers (worker_id, track, host, pid) VALUES ($1, $2, $3, $4)
     ON CONFLICT (worker_id) DO UPDATE SET heartbeat_at = now()`,
    [w.workerId, w.track, w.host, w.pid],
  );
}

/** Refreshes the heartbeat of every worker of the given processes on a host. */
export async function heartbeat(client: pg.ClientBase, host: string, pids: readonly number[]) {
  if (pids.length === 0) return;
  await client.query(
    `UPDATE ${META_SCHEMA}.workers SET heartbeat_at = now() WHERE host = $1 AND pid = ANY($2::int[])`,
    [host, pids],
  );
}

/** Removes a process's workers when it exits cleanly. */
export async function unregisterProcess(client: pg.ClientBase, host: string, pid: number) {
  await client.query(`DELETE FROM ${META_SCHEMA}.workers WHERE host = $1 AND pid = $2`, [
    host,
    pid,
  ]);
}

/**
 * Releases the jobs of dead workers so they run again at once: the workers of processes
 * known dead (`deadPids` on `host`, e.g. a child the supervisor saw exit), and any worker
 * whose heartbeat is older than `timeoutMs`. Silence is counted from the later of the last
 * heartbeat and the server's start: after a database restart every live worker gets the
 * timeout to reconnect and beat again before its units are taken from it. Returns the
 * released worker ids.
 */
export async function releaseDeadWorkers(
  client: pg.ClientBase,
  opts: { host: string; deadPids?: readonly number[]; timeoutMs: number },
): Promise<string[]> {
  const r = await client.query<{ worker_id: string }>(
    `DELETE FROM ${META_SCHEMA}.workers
      WHERE (host = $1 AND pid = ANY($2::int[]))
         OR greatest(heartbeat_at, pg_postmaster_start_time())
              < now() - make_interval(secs => $3::double precision / 1000)
      RETURNING worker_id`,
    [opts.host, opts.deadPids ?? [], opts.timeoutMs],
  );
  // Locks by an id nobody registered (a process killed before it could register), once
  // older than the timeout, are released too.
  const unknown = await client.query<{ locked_by: string }>(
    `SELECT DISTINCT locked_by FROM ${QUEUE_SCHEMA}._private_jobs j
      WHERE locked_by IS NOT NULL
        AND greatest(locked_at, pg_postmaster_start_time())
              < now() - make_interval(secs => $1::double precision / 1000)
        AND NOT EXISTS (SELECT 1 FROM ${META_SCHEMA}.workers w WHERE w.worker_id = j.locked_by)`,
    [opts.timeoutMs],
  );
  const ids = [...r.rows.map((x) => x.worker_id), ...unknown.rows.map((x) => x.locked_by)];
  if (ids.length > 0) {
    await client.query(`SELECT ${QUEUE_SCHEMA}.force_unlock_workers($1::text[])`, [ids]);
  }
  return ids;
}

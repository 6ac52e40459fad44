import type pg from 'pg';
import { LOCK_NAMESPACE, LOCKS } from '../../db/locks.js';
import { isAlive as processAlive } from '../../db/embedded/processes.js';
import { insertRun, markLost, type RunRecord, runningRuns } from './runRecord.js';

/**
 * A supervisor that lost its session (the database restarted, the link dropped) gets this
 * long, counted from its last heartbeat or the server's restart, to reconnect and take its
 * lock back before another process may declare its run lost and start a new one.
 */
export const RECONNECT_GRACE_MS = 30_000;

/** What a look at the database says about a recorded run. */
export type Liveness =
  | { readonly kind: 'live' }
  /** Someone holds the lock but has not recorded its run yet: a run is starting. */
  | { readonly kind: 'starting' }
  /** Its supervisor's session is gone, but it may still reconnect. */
  | { readonly kind: 'reconnecting'; readonly since: Date }
  | { readonly kind: 'lost'; readonly why: string }
  | { readonly kind: 'ended' };

/** The facts liveness is judged from. */
export interface LivenessProbe {
  /** Backend pid of the session holding the live-run lock, if any. */
  readonly lockHolder: number | undefined;
  readonly now: Date;
  /** When the database server last started (`pg_postmaster_start_time()`). */
  readonly serverStart: Date;
  readonly host: string;
}

/**
 * Judges a run recorded `running` (pure). Live while its supervisor's session holds the
 * lock; lost when that process is known dead (same host) or has been silent past the grace
 * period; else it may be reconnecting.
 */
export function judgeRun(
  run: Pick<RunRecord, 'status' | 'backendPid' | 'heartbeatAt' | 'host' | 'pid'>,
  probe: LivenessProbe,
  pidAlive: (pid: number) => boolean = processAlive,
  graceMs = RECONNECT_GRACE_MS,
): Liveness {
  if (run.status !== 'running') return { kind: 'ended' };
  if (probe.lockHolder !== undefined) {
    return probe.lockHolder === run.backendPid ? { kind: 'live' } : { kind: 'starting' };
  }
  if (run.host === probe.host && !pidAlive(run.pid)) {
    return { kind: 'lost', why: `its supervisor (pid ${run.pid} on ${run.host}) is gone` };
  }
  const since = new Date(Math.max(run.heartbeatAt.getTime(), probe.serverStart.getTime()));
  if (probe.now.getTime() - since.getTime() < graceMs) return { kind: 'reconnecting', since };
  return {
    kind: 'lost',
    why: `its supervisor (pid ${run.pid} on ${run.host}) has not been heard from since ${run.heartbeatAt.toISOString()}`,
  };
}

/** Reads the facts of `LivenessProbe` from the database. */
export async function probeLiveness(client: pg.ClientBase, host: string): Promise<LivenessProbe> {
  const r = await client.query<{ holder: number | null; now: Date; start: Date }>(
    `SELECT (SELECT pid FROM pg_locks
              WHERE locktype = 'advisory' AND granted AND objsubid = 2
                AND database = (SELECT oid FROM pg_database WHERE datname = current_database())
                AND classid = $1::bigint::oid AND objid = $2::bigint::oid
              LIMIT 1) AS holder,
            now() AS now, pg_postmaster_start_time() AS start`,
    [LOCK_NAMESPACE, LOCKS.liveRun],
  );
  const row = r.rows[0]!;
  return { lockHolder: row.holder ?? undefined, now: row.now, serverStart: row.start, host };
}

/** Takes the live-run lock for this session if it is free. */
export async function tryLiveRunLock(client: pg.ClientBase): Promise<boolean> {
  const r = await client.query<{ ok: boolean }>('SELECT pg_try_advisory_lock($1, $2) AS ok', [
    LOCK_NAMESPACE,
    LOCKS.liveRun,
  ]);
  return r.rows[0]?.ok === true;
}

/** Gives the live-run lock back. */
export async function releaseLiveRunLock(client: pg.ClientBase): Promise<void> {
  await client.query('SELECT pg_advisory_unlock($1, $2)', [LOCK_NAMESPACE, LOCKS.liveRun]);
}

/** How an attempt to become the database's live run went. */
export type Claim =
  | { readonly kind: 'won'; readonly resumedFrom: string | undefined }
  /** Another supervisor holds the lock (its run may still be starting). */
  | { readonly kind: 'taken' }
  /** The last run's supervisor may still come back: try again shortly. */
  | { readonly kind: 'wait'; readonly runId: string };

/**
 * Tries to become the database's one live run, on the session that will supervise it
 * (the lock is that session's). Runs left `running` by supervisors that are gone are
 * marked lost (the newest is the one this run carries on); one that may still be
 * reconnecting makes the claim wait. On success the run is recorded.
 */
export async function claimLiveRun(
  client: pg.ClientBase,
  run: { runId: string; host: string; pid: number; logFile?: string },
): Promise<Claim> {
  if (!(await tryLiveRunLock(client))) return { kind: 'taken' };
  try {
    const probe = { ...(await probeLiveness(client, run.host)), lockHolder: undefined };
    let resumedFrom: string | undefined;
    for (const old of await runningRuns(client)) {
      const j = judgeRun(old, probe);
      if (j.kind === 'reconnecting') {
        await releaseLiveRunLock(client);
        return { kind: 'wait', runId: old.runId };
      }
      await markLost(client, old.runId, j.kind === 'lost' ? j.why : 'its supervisor is gone');
      resumedFrom ??= old.runId;
    }
    await insertRun(client, {
      ...run,
      ...(resumedFrom ? { resumedFrom } : {}),
    });
    return { kind: 'won', resumedFrom };
  } catch (err) {
    await releaseLiveRunLock(client).catch(() => {});
    throw err;
  }
}

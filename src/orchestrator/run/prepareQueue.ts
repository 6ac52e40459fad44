import os from 'node:os';
import type { Context } from '../../cli/context.js';
import { ensureResultsTable } from '../../db/ledger/results.js';
import type { TrackName } from '../../tracks/protocol/events.js';
import { planRun, type TrackPlan } from '../plan/planUnits.js';
import { ensureRunsTable } from '../plan/runRecord.js';
import { enqueueUnits, migrateQueue } from '../queue/jobQueue.js';
import {
  DEAD_AFTER_MS,
  ensureWorkerRegistry,
  releaseDeadWorkers,
} from '../queue/workerRegistry.js';

/** Is a local process alive? */
export function processAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/**
 * Installs the queue and bookkeeping tables, releases units held by dead workers (a run
 * killed with -9 leaves them locked), plans, and enqueues every unit not yet done.
 */
export async function prepareQueue(
  ctx: Context,
  recompute: ReadonlySet<TrackName>,
): Promise<TrackPlan[]> {
  const host = os.hostname();
  await migrateQueue(ctx.db.pool);
  return ctx.db.withPgClient(async (c) => {
    await ensureResultsTable(c);
    await ensureWorkerRegistry(c);
    await ensureRunsTable(c);
    // This host's workers whose process is gone are released now, not after the timeout.
    const local = await c.query<{ pid: number }>(
      'SELECT DISTINCT pid FROM bqx_monitor.workers WHERE host = $1',
      [host],
    );
    const dead = local.rows.map((r) => r.pid).filter((p) => !processAlive(p));
    await releaseDeadWorkers(c, { host, deadPids: dead, timeoutMs: DEAD_AFTER_MS });
    const plans = await planRun(c, ctx.scope, recompute);
    await enqueueUnits(
      c,
      plans.flatMap((t) => [...t.todo]),
      ctx.settings.run.maxAttempts,
    );
    return plans;
  });
}

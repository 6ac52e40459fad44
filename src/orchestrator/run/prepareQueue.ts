import os from 'node:os';
import type { Context } from '../../db/context.js';
import { isAlive as processAlive } from '../../db/embedded/processes.js';
import type { TrackName } from '../../tracks/protocol/events.js';
import { freshnessOf, planRun, type TrackPlan } from '../plan/planUnits.js';
import { enqueueUnits } from '../queue/jobQueue.js';
import { DEAD_AFTER_MS, releaseDeadWorkers } from '../queue/workerRegistry.js';
import { migrateAll } from './migrateAll.js';

/**
 * Upgrades the schemas (once per process), releases units held by dead workers (a run
 * killed with -9 leaves them locked), plans, and enqueues every unit not yet done (none of
 * `hold`'s tracks).
 */
export async function prepareQueue(
  ctx: Context,
  recompute: ReadonlySet<TrackName>,
  hold: ReadonlySet<TrackName> = new Set(),
): Promise<TrackPlan[]> {
  const host = os.hostname();
  await migrateAll(ctx.db);
  return ctx.db.withPgClient(async (c) => {
    // This host's workers whose process is gone are released now, not after the timeout.
    const local = await c.query<{ pid: number }>(
      'SELECT DISTINCT pid FROM bqx_monitor.workers WHERE host = $1',
      [host],
    );
    const dead = local.rows.map((r) => r.pid).filter((p) => !processAlive(p));
    await releaseDeadWorkers(c, { host, deadPids: dead, timeoutMs: DEAD_AFTER_MS });
    const planned = await planRun(c, ctx.scope, recompute, freshnessOf(ctx));
    // Held tracks (`run --follow` throttling Track 3) wait for a later run: nothing queued.
    const plans = planned.map((p) => (hold.has(p.track) ? { ...p, todo: [] } : p));
    await enqueueUnits(
      c,
      plans.flatMap((t) => [...t.todo]),
      ctx.settings.run.maxAttempts,
    );
    return plans;
  });
}

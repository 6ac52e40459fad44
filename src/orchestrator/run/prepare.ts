import type { Context } from '../../db/context.js';
import { readDataset, resolveScope, type Scope } from '../../db/dataset.js';
import { readCatalog } from '../../db/preflight/catalog.js';
import { runDoctor } from '../../db/preflight/doctor.js';
import { seedDataset } from '../../tracks/seed/load.js';
import { threadsForPlan } from '../../tracks/seed/parallelSeed.js';
import { PRESETS } from '../../tracks/seed/presets.js';
import { SOURCE_TABLE_KEYS } from '../../tracks/seed/sourceDdl.js';
import type { TrackName } from '../../tracks/protocol/events.js';
import { describePruned, pruneRetained } from '../live/retention.js';
import { setRunUnits } from '../live/runRecord.js';
import { enumerateUnits, TRACKS, type TrackPlan } from '../plan/planUnits.js';
import type { RunEvent } from '../state/events.js';
import type { FeedTaker } from './feedTaker.js';
import { prepareQueue } from './prepareQueue.js';
import type { RunParts } from './runParts.js';

/**
 * The run's preparation: prunes the runs beyond `runs.keep` (records, events, logs), starts
 * taking the worker feed, seeds an empty embedded database with the demo, runs the
 * preflight, plans and enqueues the units.
 * Returns the plans; undefined when the run ended meanwhile (a stop, a stand-down) or the
 * preflight failed (then the run ends here). Errors are the caller's (the run fails).
 */
export async function prepareRun(
  parts: RunParts,
  feed: FeedTaker,
  recompute: ReadonlySet<TrackName>,
  hold?: ReadonlySet<TrackName>,
): Promise<readonly TrackPlan[] | undefined> {
  const { ctx, events, lifecycle, reachable } = parts;
  const preparing = () => lifecycle.mode === 'preparing';
  const pruned = await reachable(() =>
    pruneRetained({
      withPgClient: ctx.db.withPgClient,
      dataDir: ctx.dataDir,
      settings: ctx.settings.runs,
      protect: parts.runId,
    }),
  );
  if (describePruned(pruned)) process.stderr.write(`${describePruned(pruned)}\n`);
  await feed.open(parts.every, reachable);
  const scope = await reachable(() => seedIfEmpty(ctx, events.dispatch));
  if (!preparing()) return undefined;
  events.dispatch({ type: 'run_phase', at: Date.now(), phase: 'preflight' });
  const report = await reachable(() => runDoctor({ db: ctx.db, settings: ctx.settings, scope }));
  events.dispatch({ type: 'preflight', at: Date.now(), report });
  if (!report.ok) {
    lifecycle.end({ kind: 'preflight_failed', problems: report.problems.length });
    return undefined;
  }
  if (!preparing()) return undefined;
  events.dispatch({ type: 'run_phase', at: Date.now(), phase: 'planning' });
  const plans = await reachable(() => prepareQueue({ ...ctx, scope }, recompute, hold));
  const units = Object.fromEntries(
    TRACKS.map((t) => [t, enumerateUnits(scope, t).map((u) => u.unit)]),
  ) as Record<TrackName, string[]>;
  await reachable(() => parts.link.withControl((c) => setRunUnits(c, parts.runId, units)));
  return preparing() ? plans : undefined;
}

/** An empty embedded database gets the demo dataset (as `bqx-monitor seed --preset demo`). */
async function seedIfEmpty(ctx: Context, dispatch: (ev: RunEvent) => void): Promise<Scope> {
  if (!ctx.db.embedded || ctx.dataset) return ctx.scope;
  const catalog = await ctx.db.withPgClient((c) => readCatalog(c, ctx.settings.schema));
  if (catalog.tables.size > 0) return ctx.scope;
  const plan = PRESETS.demo;
  const total = plan.pairs.length * SOURCE_TABLE_KEYS.length;
  let done = 0;
  const seeding = (detail: string) =>
    dispatch({ type: 'run_phase', at: Date.now(), phase: 'seeding', detail, done, total });
  seeding('the demo dataset');
  // Pairs in worker threads on their own sessions, as `bqx-monitor seed` does.
  const threads = ctx.db.childUrl ? threadsForPlan(plan) : 1;
  const parallel =
    threads > 1 ? { threads, connection: { connectionString: ctx.db.childUrl! } } : undefined;
  await ctx.db.withPgClient((c) =>
    seedDataset(c, ctx.settings, plan, {
      parallel,
      onProgress: (p) => {
        if (p.kind !== 'table') return;
        done++;
        seeding(`the demo dataset: ${p.table}`);
      },
    }),
  );
  const dataset = await ctx.db.withPgClient((c) => readDataset(c));
  return resolveScope(ctx.settings, dataset);
}

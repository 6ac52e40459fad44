import { correctUnitMs } from '../../db/ledger/results.js';
import type { TrackName } from '../../tracks/protocol/events.js';
import { TRACKS, type TrackPlan } from '../plan/planUnits.js';
import { heartbeat, HEARTBEAT_MS } from '../queue/workerRegistry.js';
import { sampleDatabase } from '../sample/databaseSampler.js';
import { sampleSystem } from '../sample/systemSampler.js';
import { findStalls } from '../state/stalls.js';
import { Supervisor, type WorkerCommand } from '../supervisor/supervisor.js';
import { defaultBudget } from '../supervisor/workerCommand.js';
import { DeadWorkers } from './deadWorkers.js';
import { analyzeRun } from './finish.js';
import { readHistory } from './history.js';
import type { EndReason } from './lifecycle.js';
import type { RunParts } from './runParts.js';
import { demand, settle, supervisionEnd, workerCaps } from './scheduling.js';

/** How the tracks' workers are started and watched (superviseRun's options). */
export interface TrackOptions {
  readonly command: (track: TrackName) => WorkerCommand;
  readonly graceMs?: number;
  readonly backoffMs?: (n: number) => number;
  readonly sampleMs?: number;
}

/**
 * Runs the planned tracks: publishes the plan and the history, starts the workers within
 * the budget, samples the machine and the database, flags stalls, heartbeats for paused
 * workers, and waits until every track settled. Returns why the run ends; undefined when
 * it ended before a worker started (a stop or a stand-down came meanwhile).
 */
export async function superviseTracks(
  p: RunParts,
  plans: readonly TrackPlan[],
  o: TrackOptions,
): Promise<EndReason | undefined> {
  const dead = new DeadWorkers(p.host, p.ctx.db.withPgClient);
  const sup = await plannedSupervisor(p, plans, dead, o);
  if (!p.lifecycle.run(sup)) return undefined;
  watch(p, sup, dead, o.sampleMs ?? 2000);
  sup.start();
  await sup.done;
  await analyzeRun(p);
  return supervisionEnd(p.events.state, p.lifecycle.stopRequest);
}

/** Publishes the plan and the history; the Supervisor that will run it. */
async function plannedSupervisor(
  p: RunParts,
  plans: readonly TrackPlan[],
  dead: DeadWorkers,
  o: TrackOptions,
): Promise<Supervisor> {
  const { ctx, events, lifecycle, link } = p;
  const budget = ctx.settings.run.maxWorkers ?? defaultBudget();
  const workers = workerCaps(plans, ctx.settings.run.workers, budget);
  const history = await p.reachable(() => ctx.db.withPgClient((c) => readHistory(c, plans)));
  events.dispatch({
    type: 'run_planned',
    at: Date.now(),
    runId: p.runId,
    maxAttempts: ctx.settings.run.maxAttempts,
    stallMs: ctx.settings.run.stallSeconds * 1000,
    tracks: plans.map(({ track, total, done, empty, rows, stale, adopted }) => {
      return { track, total, done, empty, rows, workers: workers[track], stale, adopted };
    }),
  });
  events.dispatch({
    type: 'run_history',
    at: Date.now(),
    tracks: history,
    budget: { budget, caps: workers },
  });
  return new Supervisor({
    tracks: TRACKS.map((track) => ({ track, workers: workers[track] })),
    budget,
    demand: (track) => demand(events.state, track),
    settle: (track) => settle(events.state, track),
    command: o.command,
    maxRestarts: ctx.settings.run.maxRestarts,
    ...(o.backoffMs ? { backoffMs: o.backoffMs } : {}),
    graceMs: o.graceMs ?? 30_000,
    dispatch: events.dispatch,
    // The supervisor saw its own child die: its unit goes back to the queue at once.
    onWorkerDied: (_track, pid) => {
      dead.add(pid, lifecycle.stopRequest?.mode === 'now' ? 'interrupted' : 'crashed');
      void dead.flush().catch(p.onDbError);
    },
    onPausedUnit: (track, unit, ms) => {
      void ctx.db.withPgClient((c) => correctUnitMs(c, track, unit, ms)).catch(p.onDbError);
    },
    canSpawn: () => link.lostSince === undefined,
  });
}

/** The running tracks' periodic jobs: samples, stalls, and heartbeats for paused workers. */
function watch(p: RunParts, sup: Supervisor, dead: DeadWorkers, sampleMs: number): void {
  const { ctx, events, every, link } = p;
  const dirs = [
    { label: 'data', dir: ctx.dataDir },
    { label: 'output', dir: ctx.outDir },
  ];
  every.add(sampleMs, async () => {
    const sample = await sampleSystem({ dirs, workers: sup.pids() });
    events.dispatch({ type: 'system_sample', at: Date.now(), sample });
  });
  const reachable = (fn: () => Promise<void>) => async () => {
    if (link.lostSince === undefined) await fn();
  };
  every.add(
    Math.max(sampleMs, 5000),
    reachable(async () => {
      const sample = await ctx.db.withPgClient((c) => sampleDatabase(c));
      events.dispatch({ type: 'database_sample', at: Date.now(), sample });
    }),
    p.onDbError,
  );
  every.add(1000, () => {
    for (const s of findStalls(events.state, Date.now()))
      events.dispatch({ type: 'unit_stalled', at: Date.now(), ...s });
  });
  // Paused workers cannot beat: the supervisor vouches for them. Dead ones are released.
  every.add(
    HEARTBEAT_MS,
    reachable(async () => {
      await ctx.db.withPgClient((c) => heartbeat(c, p.host, sup.pausedPids()));
      await dead.flush();
    }),
    p.onDbError,
  );
}

import type { RunSettings } from '../../config/load.js';
import type { TrackName } from '../../tracks/protocol/events.js';
import type { TrackPlan } from '../plan/planUnits.js';
import { PRIOR_UNIT_MS, remainingWork } from '../state/estimate.js';
import { remainingUnits, type RunState } from '../state/runState.js';
import type { Demand, Settled } from '../supervisor/supervisor.js';
import type { EndReason, StopRequest } from './lifecycle.js';
import { TRACKS } from '../plan/planUnits.js';

/*
 * How the run shares its workers, as pure functions of its state and settings: what each
 * track may run, what it still asks for, how it ends. The Supervisor calls them.
 */

/**
 * Each track's worker limit at the start: none for a track with nothing to do, else its
 * `run.workers` setting within the run's budget (`run.maxWorkers`, default the cores).
 */
export function workerCaps(
  plans: readonly Pick<TrackPlan, 'track' | 'todo'>[],
  workers: RunSettings['workers'],
  budget: number,
): Record<TrackName, number> {
  const caps = Object.fromEntries(TRACKS.map((t) => [t, 0])) as Record<TrackName, number>;
  for (const p of plans)
    caps[p.track] = p.todo.length === 0 ? 0 : Math.min(budget, workers[p.track] ?? budget);
  return caps;
}

/**
 * What a track still asks of the budget: the work left (estimated milliseconds) and the
 * units a worker can be busy with (those queued and those running).
 */
export function demand(state: RunState, track: TrackName): Demand {
  const t = state.tracks[track];
  const queued = Math.max(0, remainingUnits(t) - t.running.length);
  const w = remainingWork(state, track);
  const units = (w ? w.units : queued) + t.running.length;
  return { work: w ? w.ms : queued * PRIOR_UNIT_MS[track], units };
}

/**
 * How a track whose workers all left ends: failed with failed units, else complete (units
 * left over were taken by workers elsewhere).
 */
export function settle(state: RunState, track: TrackName): Settled {
  const t = state.tracks[track];
  if (t.failed > 0) return { status: 'failed', reason: `${t.failed} unit(s) failed` };
  const left = remainingUnits(t);
  return {
    status: 'complete',
    reason:
      left === 0 ? 'complete' : `complete here; ${left} unit(s) were left to workers elsewhere`,
  };
}

/** Why the run ends once its workers are all gone: a user's stop, or the tracks' ends. */
export function supervisionEnd(state: RunState, stop: StopRequest | undefined): EndReason {
  if (stop) return { kind: 'stopped', stop, beforeAnyUnit: false };
  return { kind: 'finished', failed: TRACKS.filter((t) => state.tracks[t].status !== 'complete') };
}

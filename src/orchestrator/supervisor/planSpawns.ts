import type { TrackName } from '../../tracks/protocol/events.js';
import { nextTrack } from '../state/estimate.js';
import type { TrackStatus } from '../state/trackMachine.js';
import type { Demand } from './supervisorOptions.js';

/** A track as the scheduler sees it (pure data, from the supervisor's slots). */
export interface SlotLoad {
  readonly track: TrackName;
  readonly status: TrackStatus;
  /** Its workers are finishing their unit for a user's restart: none is added meanwhile. */
  readonly drainingForRestart: boolean;
  /** The most workers it may run. */
  readonly cap: number;
  /** Workers holding one of its slots: alive, or due back after a crash. */
  readonly workers: number;
}

/** Workers that hold a slot of the budget: those of tracks not paused. */
export function busyWorkers(slots: readonly SlotLoad[]): number {
  return slots.reduce((n, s) => n + (s.status === 'paused' ? 0 : s.workers), 0);
}

/** A track that may get a worker: not draining, and waiting, running or restarting. */
function open(s: SlotLoad): boolean {
  return (
    !s.drainingForRestart &&
    (s.status === 'waiting' || s.status === 'running' || s.status === 'restarting')
  );
}

/**
 * Which tracks get a new worker now, in order (pure): each free slot of the budget to the
 * track whose units left are the largest (`nextTrack`), never past a track's cap nor to a
 * track without a unit left for one more worker. A track without a demand is taken to
 * want as many workers as its cap.
 */
export function planSpawns(
  slots: readonly SlotLoad[],
  demand: Partial<Record<TrackName, Demand>>,
  budget: number,
): TrackName[] {
  const candidates = slots.filter(open).map((s) => {
    const d = demand[s.track] ?? { work: s.cap, units: s.cap };
    return { track: s.track, work: d.work, units: d.units, workers: s.workers, cap: s.cap };
  });
  const picks: TrackName[] = [];
  for (let free = budget - busyWorkers(slots); free > 0; free--) {
    const pick = nextTrack(candidates);
    if (!pick) break;
    picks.push(pick.track);
    pick.workers++;
  }
  return picks;
}

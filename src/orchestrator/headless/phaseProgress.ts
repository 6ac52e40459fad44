import { SOURCE_TABLE_KEYS } from '../../tracks/seed/sourceDdl.js';
import { formatDuration } from '../state/eta.js';
import type { RunEvent, RunPhase } from '../state/events.js';

/** What a view knows of the run's preparation, folded from its `run_phase` events. */
export interface PhaseProgress {
  readonly phase: RunPhase;
  readonly detail: string | undefined;
  readonly done: number | undefined;
  readonly total: number | undefined;
  /**
   * When this view first saw the phase, and the steps done then (a view that attaches late
   * measures the pace from what it saw), and when the last step was reported (the
   * supervisor's clock).
   */
  readonly startedAt: number;
  readonly startDone: number;
  readonly at: number;
}

/** Folds one event into the preparation's progress (events other than `run_phase` keep it). */
export function foldPhase(p: PhaseProgress | undefined, ev: RunEvent): PhaseProgress | undefined {
  if (ev.type !== 'run_phase') return p;
  const same = p?.phase === ev.phase;
  return {
    phase: ev.phase,
    detail: ev.detail,
    done: ev.done,
    total: ev.total,
    startedAt: same && p ? p.startedAt : ev.at,
    startDone: same && p ? p.startDone : (ev.done ?? 0),
    at: ev.at,
  };
}

/**
 * Seconds left at the pace measured since the phase began (steps done ÷ time taken);
 * undefined before the first step is done.
 */
export function phaseEtaSeconds(p: PhaseProgress): number | undefined {
  if (p.done === undefined || p.total === undefined) return undefined;
  if (p.done >= p.total) return 0;
  const stepped = p.done - p.startDone;
  if (stepped <= 0) return undefined;
  return ((p.at - p.startedAt) / 1000) * ((p.total - p.done) / stepped);
}

/** The words of a phase: what the run is doing before its units start. */
const DOING: Record<RunPhase, string> = {
  starting: 'starting',
  seeding: 'seeding',
  preflight: 'checking the database and the machine',
  planning: 'planning the units',
  running: 'running',
  stopping: 'stopping',
};

/**
 * One line saying what the run does now, with its progress when it has steps:
 * `seeding the demo dataset: pair 2 of 3, 40% (11/27 tables), ETA 12s (m1_gbpusd)`.
 */
export function describePhase(p: PhaseProgress): string {
  const [what, step] = (p.detail ?? '').split(': ', 2);
  const head = what ? `${DOING[p.phase]} ${what}` : DOING[p.phase];
  if (p.done === undefined || p.total === undefined || p.total <= 0)
    return p.detail ? `${head}${step ? `: ${step}` : ''}` : head;
  const parts: string[] = [];
  const perPair = SOURCE_TABLE_KEYS.length;
  if (p.phase === 'seeding' && p.total % perPair === 0 && p.total > perPair) {
    const pairs = p.total / perPair;
    parts.push(`pair ${Math.min(pairs, Math.floor(p.done / perPair) + 1)} of ${pairs}`);
  }
  const unit = p.phase === 'seeding' ? 'tables' : 'steps';
  parts.push(`${Math.floor((100 * p.done) / p.total)}% (${p.done}/${p.total} ${unit})`);
  const eta = phaseEtaSeconds(p);
  parts.push(`ETA ${eta === undefined ? 'measuring' : formatDuration(eta)}`);
  return `${head}: ${parts.join(', ')}${step ? ` (${step})` : ''}`;
}

import type { SeedProgress } from '../tracks/seed/load.js';
import { formatDuration } from '../orchestrator/state/eta.js';

/** What the seed's progress display knows: work done so far, measured from the start. */
export interface SeedProgressState {
  readonly pairs: number;
  readonly startedMs: number;
  /** Columns × rows loaded so far, over those of the whole plan: the share of the work. */
  readonly done: number;
  readonly total: number;
  readonly pairsDone: number;
  readonly lastTable: string;
}

/** The state before the first table: nothing done, nothing measured. */
export function startSeedProgress(
  pairs: number,
  totalCells: number,
  startedMs: number,
): SeedProgressState {
  return { pairs, startedMs, done: 0, total: totalCells, pairsDone: 0, lastTable: '' };
}

/**
 * Folds an event into the state. A table's work is its columns × rows: a table's load
 * time grows with both (bqx, 38 columns, is the costliest).
 */
export function advanceSeedProgress(
  s: SeedProgressState,
  e: SeedProgress,
  columnsOf: (table: string) => number,
): SeedProgressState {
  if (e.kind === 'pair') return { ...s, pairsDone: s.pairsDone + 1 };
  return { ...s, done: s.done + columnsOf(e.table) * e.rows, lastTable: e.table };
}

/**
 * Seconds left at the throughput measured since the start (work done ÷ time taken);
 * undefined before any work is done — never a constant.
 */
export function seedEtaSeconds(s: SeedProgressState, nowMs: number): number | undefined {
  if (s.done <= 0) return undefined;
  if (s.done >= s.total) return 0;
  const elapsed = (nowMs - s.startedMs) / 1000;
  return (elapsed * (s.total - s.done)) / s.done;
}

/** The terminal's progress line: `seeding [####....]  42%  3/28 pairs  ETA 2m 10s  bqx_eurusd`. */
export function seedBarLine(s: SeedProgressState, nowMs: number, width = 30): string {
  const f = s.total > 0 ? Math.min(1, s.done / s.total) : 0;
  const filled = Math.round(width * f);
  const bar = `${'#'.repeat(filled)}${'.'.repeat(width - filled)}`;
  const pct = String(Math.floor(100 * f)).padStart(3);
  const eta = formatDuration(seedEtaSeconds(s, nowMs));
  return `seeding [${bar}] ${pct}%  ${s.pairsDone}/${s.pairs} pairs  ETA ${eta}  ${s.lastTable.padEnd(24)}`;
}

/** The line printed when a pair is committed (not a terminal): `seeding: eurusd done (…)`. */
export function seedPairLine(
  s: SeedProgressState,
  e: Extract<SeedProgress, { kind: 'pair' }>,
  nowMs: number,
): string {
  const eta = formatDuration(seedEtaSeconds(s, nowMs));
  const elapsed = formatDuration((nowMs - s.startedMs) / 1000);
  return `seeding: ${e.pair} done (${s.pairsDone}/${s.pairs}, ${e.bars} bars), ${elapsed} elapsed, ETA ${eta}`;
}

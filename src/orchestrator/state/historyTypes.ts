import type { TrackName } from '../../tracks/protocol/events.js';

/**
 * What earlier runs recorded about a track's units (from `unit_results`), published when
 * the run is planned, so that every view estimates from the first second.
 */
export interface TrackHistory {
  /** The units this run has to do, each with its last recorded time at work (ms), if any. */
  readonly todo: ReadonlyArray<{ readonly unit: string; readonly ms: number | null }>;
  /** Median time of a done unit, and of a no-data unit, of this track (all recorded). */
  readonly doneMs: number | null;
  readonly emptyMs: number | null;
  /** Share of recorded units that had no data (for a unit never run before). */
  readonly emptyShare: number;
}

/** How the run shares the machine: at most `budget` busy workers, `caps` per track. */
export interface Budget {
  readonly budget: number;
  readonly caps: Readonly<Record<TrackName, number>>;
}

import os from 'node:os';
import type { Fingerprint } from '../../db/fingerprint/fingerprint.js';
import type { UnitOutcome } from '../../db/ledger/results.js';
import type { TrackName, UnitQuality } from '../protocol/events.js';
import { type PartitionWrite, replacePartitions } from './replacePartitions.js';
import type { UnitContext } from './unitContext.js';

/** Times (from the unit's clock) at which a unit started, loaded and computed. */
export interface UnitTimes {
  readonly start: number;
  readonly loaded: number;
  readonly computed: number;
}

/**
 * The write stage shared by Tracks 1 and 2: replaces the unit's partitions and records
 * its "done" outcome (with its data-quality counts as `details` and the fingerprint of
 * the inputs it read) in one transaction, then
 * announces `unit_done` with the time split and the same counts.
 */
export async function commitMonthUnit(
  ctx: UnitContext,
  track: TrackName,
  unit: string,
  rows: number,
  writes: readonly PartitionWrite[],
  times: UnitTimes,
  quality?: UnitQuality,
  fingerprint?: Fingerprint,
): Promise<UnitOutcome> {
  const now = ctx.now ?? performance.now.bind(performance);
  ctx.emit({ type: 'stage', unit, stage: 'write', rows });
  const outcome = (bytes: number): UnitOutcome => ({
    track,
    unit,
    status: 'done',
    rows,
    bytes,
    ms: now() - times.start,
    attempt: ctx.attempt,
    host: os.hostname(),
    worker: ctx.worker,
    details: quality,
    fingerprint,
  });
  const bytes = await ctx.withPgClient((c) => replacePartitions(c, ctx.settings, writes, outcome));
  const end = now();
  ctx.emit({
    type: 'unit_done',
    unit,
    rows,
    bytes,
    ms: end - times.start,
    split: {
      load: times.loaded - times.start,
      compute: times.computed - times.loaded,
      write: end - times.computed,
    },
    ...(quality ? { quality } : {}),
  });
  return { ...outcome(bytes), ms: end - times.start };
}

import type { UnitOutcome } from '../../db/ledger/results.js';
import type { UnitQuality } from '../protocol/events.js';
import { type PartitionWrite, replacePartitions } from './replacePartitions.js';
import { type RecordedFields, type UnitScope, unitOutcome } from './unitShell.js';

/** What a pair × month unit commits: its partitions, when it loaded and computed them. */
export interface MonthCommit {
  /** Rows of the month written (every partition has them). */
  readonly rows: number;
  readonly writes: readonly PartitionWrite[];
  /** The unit's clock when its input was loaded, and when its columns were computed. */
  readonly loaded: number;
  readonly computed: number;
  /** Data-quality counts: the outcome's `details` and `unit_done.quality`. */
  readonly quality?: UnitQuality | undefined;
  /** More to record with the outcome (it overrides `details` if it has them). */
  readonly recorded?: RecordedFields | undefined;
}

/**
 * The write stage shared by Tracks 1 and 2: replaces the unit's partitions and records
 * its "done" outcome (with its data-quality counts as `details`) in one transaction, then
 * announces `unit_done` with the time split and the same counts.
 */
export async function commitMonthUnit(scope: UnitScope, commit: MonthCommit): Promise<UnitOutcome> {
  const { ctx, now, start } = scope;
  const { rows, quality } = commit;
  scope.emit({ type: 'stage', stage: 'write', rows });
  const outcome = (bytes: number): UnitOutcome =>
    unitOutcome(
      scope,
      { status: 'done', rows, bytes, ms: now() - start },
      { details: quality, ...commit.recorded },
    );
  const bytes = await ctx.withPgClient((c) =>
    replacePartitions(c, ctx.settings, commit.writes, outcome),
  );
  const end = now();
  scope.emit({
    type: 'unit_done',
    rows,
    bytes,
    ms: end - start,
    split: {
      load: commit.loaded - start,
      compute: commit.computed - commit.loaded,
      write: end - commit.computed,
    },
    ...(quality ? { quality } : {}),
  });
  return { ...outcome(bytes), ms: end - start };
}

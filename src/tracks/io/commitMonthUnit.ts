import type { UnitOutcome } from '../../db/ledger/results.js';
import type { UnitQuality } from '../protocol/events.js';
import { type PartitionWrite, replacePartitions } from './replacePartitions.js';
import { type RecordedFields, type UnitScope, unitOutcome } from './unitShell.js';

/** Columns computed while they are written (`PartitionWrite.fill`), and what that took. */
export interface ComputedWhileWritten {
  /** Milliseconds spent computing, asked once every row is written. */
  readonly computeMs: () => number;
  /** The data-quality counts, asked once (every row written, before the outcome is recorded). */
  readonly quality: () => UnitQuality | undefined;
}

/** What a pair × month unit commits: its partitions, when it loaded and computed them. */
export interface MonthCommit {
  /** Rows of the month written (every partition has them). */
  readonly rows: number;
  /** What the write stage shows beside its rows (Track 1: what it computes meanwhile). */
  readonly detail?: string;
  readonly writes: readonly PartitionWrite[];
  /** The unit's clock when its input was loaded. */
  readonly loaded: number;
  /**
   * When its columns were computed (the unit's clock) with their data-quality counts (the
   * outcome's `details` and `unit_done.quality`); or, for columns computed while written,
   * how to ask both once they are.
   */
  readonly computed:
    | { readonly at: number; readonly quality?: UnitQuality | undefined }
    | ComputedWhileWritten;
  /** More to record with the outcome (it overrides `details` if it has them). */
  readonly recorded?: RecordedFields | undefined;
}

/**
 * The write stage shared by Tracks 1 and 2: replaces the unit's partitions and records
 * its "done" outcome (with its data-quality counts as `details`) in one transaction, then
 * announces `unit_done` with the time split and the same counts. Columns computed while
 * written (Track 1) count their computing as compute, the rest of the stage as write.
 */
export async function commitMonthUnit(scope: UnitScope, commit: MonthCommit): Promise<UnitOutcome> {
  const { ctx, now, start } = scope;
  const { rows, computed } = commit;
  const written = 'computeMs' in computed;
  const writeFrom = written ? commit.loaded : computed.at;
  scope.emit({
    type: 'stage',
    stage: 'write',
    rows,
    ...(commit.detail ? { detail: commit.detail } : {}),
  });
  // Columns computed while written have their counts once every row is: asked once.
  let quality = written ? undefined : computed.quality;
  let asked = !written;
  const outcome = (bytes: number): UnitOutcome => {
    if (!asked && written) {
      quality = computed.quality();
      asked = true;
    }
    return unitOutcome(
      scope,
      { status: 'done', rows, bytes, ms: now() - start },
      { details: quality, ...commit.recorded },
    );
  };
  const bytes = await ctx.withPgClient((c) =>
    replacePartitions(c, ctx.settings, commit.writes, outcome),
  );
  const end = now();
  const compute = written ? computed.computeMs() : computed.at - commit.loaded;
  scope.emit({
    type: 'unit_done',
    rows,
    bytes,
    ms: end - start,
    split: {
      load: commit.loaded - start,
      compute,
      write: end - writeFrom - (written ? compute : 0),
    },
    ...(quality ? { quality } : {}),
  });
  return { ...outcome(bytes), ms: end - start };
}

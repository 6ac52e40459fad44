import type pg from 'pg';
import { formatMonth, monthRange } from '../../config/months.js';
import type { Scope } from '../../db/dataset.js';
import { readOutcomes } from '../../db/ledger/results.js';
import type { TrackName } from '../../tracks/protocol/events.js';

export const TRACKS: readonly TrackName[] = ['bollinger', 'regression', 'extraction'];

/** One unit of work: `eurusd/2024-08` for Tracks 1–2, `eurusd` for Track 3. */
export interface PlannedUnit {
  readonly track: TrackName;
  readonly unit: string;
}

/** What a run has to do, per track: every unit in scope and those already finished. */
export interface TrackPlan {
  readonly track: TrackName;
  readonly total: number;
  /** Finished by an earlier run (done or no data) and not forced again. */
  readonly done: number;
  readonly empty: number;
  readonly rows: number;
  /** Units to enqueue. */
  readonly todo: readonly PlannedUnit[];
}

/** Every unit of every track for the scope (docs/spec/SCHEMA.md "Work units"), in run order. */
export function enumerateUnits(scope: Scope, track: TrackName): PlannedUnit[] {
  // `--tracks` leaves the other tracks out of the scope: they have no unit to plan or check.
  if (scope.tracks && !scope.tracks.has(track)) return [];
  if (track === 'extraction') return scope.pairs.map((pair) => ({ track, unit: pair }));
  const span = scope[track];
  const months = monthRange(span.from, span.to);
  // Month-major: every pair's first month before any pair's second, so progress is even.
  return months.flatMap((m) =>
    scope.pairs.map((pair) => ({ track, unit: `${pair}/${formatMonth(m)}` })),
  );
}

/**
 * Plans the run: enumerates the units and leaves out those the results table records as
 * done or no data, unless `recompute` names their track.
 */
export async function planRun(
  client: pg.ClientBase,
  scope: Scope,
  recompute: ReadonlySet<TrackName>,
): Promise<TrackPlan[]> {
  const byKey = await readOutcomes(client);
  return TRACKS.map((track) => {
    const units = enumerateUnits(scope, track);
    let done = 0;
    let empty = 0;
    let rows = 0;
    const todo: PlannedUnit[] = [];
    for (const u of units) {
      const r = recompute.has(track) ? undefined : byKey.get(`${track}:${u.unit}`);
      if (!r || r.status === 'failed') todo.push(u);
      else if (r.status === 'done') {
        done++;
        rows += r.rows;
      } else empty++;
    }
    return { track, total: units.length, done, empty, rows, todo };
  });
}

import type { Context } from '../../db/context.js';
import { defaultBudget } from '../supervisor/workerCommand.js';
import type pg from 'pg';
import { formatMonth, monthRange } from '../../config/months.js';
import type { Scope } from '../../db/dataset.js';
import { adoptFingerprints, writePlanReasons } from '../../db/ledger/planReasons.js';
import { type RecordedOutcome, readOutcomes } from '../../db/ledger/results.js';
import type { Verdict } from '../../db/fingerprint/staleness.js';
import type { TrackName } from '../../tracks/protocol/events.js';
import { doneOnce, type JudgeOptions, judgeUnits } from './judgeUnits.js';

export const TRACKS: readonly TrackName[] = ['bollinger', 'regression', 'extraction'];

/** One unit of work: `eurusd/2024-08` for Tracks 1–2, `eurusd` for Track 3. */
export interface PlannedUnit {
  readonly track: TrackName;
  readonly unit: string;
  /** Why it runs (`never run`, `values changed`, …), when the plan judged it. */
  readonly reason?: string;
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
  /** Of `todo`, the units finished before whose inputs, code or output changed since. */
  readonly stale: number;
  /** Units recorded before fingerprints existed that this plan adopted (not recomputed). */
  readonly adopted: number;
}

/** What a plan that follows the sources needs (without it: "done once" is enough). */
export type FreshnessOptions = Omit<JudgeOptions, 'recompute'> & {
  /** Judge only: write no adoption and no reasons (`--dry-run`). */
  readonly dryRun?: boolean;
};

/**
 * How a command judges freshness: its settings and output directory, the sources that
 * changed hashed on as many sessions at once as a run has busy workers (`run.maxWorkers`,
 * default the cores).
 */
export function freshnessOf(
  ctx: Pick<Context, 'db' | 'settings' | 'outDir'>,
  o: { dryRun?: boolean } = {},
): FreshnessOptions {
  const sessions = ctx.settings.run.maxWorkers ?? defaultBudget();
  return {
    settings: ctx.settings,
    outDir: ctx.outDir,
    hashWith: { withPgClient: ctx.db.withPgClient, sessions },
    ...(o.dryRun ? { dryRun: true } : {}),
  };
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

/** A unit's recorded outcome and its verdict now. */
type Judged = { r: RecordedOutcome | undefined; verdict: Verdict };

/** One track's plan from its units' verdicts: what to enqueue (with why) and the counts. */
function planTrack(
  track: TrackName,
  units: readonly PlannedUnit[],
  judge: (u: PlannedUnit) => Judged,
  forced: boolean,
  adopted: number,
): TrackPlan {
  let done = 0;
  let empty = 0;
  let rows = 0;
  let stale = 0;
  const todo: PlannedUnit[] = [];
  for (const u of units) {
    const { r, verdict } = judge(u);
    if (verdict.stale) {
      todo.push({ ...u, reason: verdict.reason });
      if (r && r.status !== 'failed' && !forced) stale++;
    } else if (r?.status === 'done') {
      done++;
      rows += r.rows;
    } else empty++;
  }
  return { track, total: units.length, done, empty, rows, todo, stale, adopted };
}

/**
 * Plans the run: enumerates the units and enqueues those never done, failed, forced by
 * `recompute`, or — given `fresh` — stale: their recorded fingerprint, code version or
 * output no longer matches (docs/freshness.md). Without `fresh`, a unit recorded done or
 * no data is left out. Each planned unit carries its reason.
 */
export async function planRun(
  client: pg.ClientBase,
  scope: Scope,
  recompute: ReadonlySet<TrackName>,
  fresh?: FreshnessOptions,
): Promise<TrackPlan[]> {
  const byKey = await readOutcomes(client);
  const all = TRACKS.flatMap((t) => enumerateUnits(scope, t));
  const judged = fresh ? await judgeUnits(client, all, byKey, { ...fresh, recompute }) : undefined;
  if (judged && !fresh?.dryRun) await adoptFingerprints(client, judged.adopt);
  const plans = TRACKS.map((track) =>
    planTrack(
      track,
      all.filter((u) => u.track === track),
      (u) => {
        const r = byKey.get(`${track}:${u.unit}`);
        return {
          r,
          verdict: judged?.verdicts.get(`${track}:${u.unit}`) ?? doneOnce(r, recompute.has(track)),
        };
      },
      recompute.has(track),
      judged?.adopt.filter((a) => a.track === track).length ?? 0,
    ),
  );
  if (fresh && !fresh.dryRun)
    await writePlanReasons(
      client,
      plans.flatMap((p) =>
        p.todo.map((u) => ({ track: u.track, unit: u.unit, reason: u.reason ?? '' })),
      ),
    );
  return plans;
}

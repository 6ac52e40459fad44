/**
 * `run --follow`: a supervisor that stays after its run and keeps the outputs current.
 *
 *   run ─► wait (an interval) ─► check the sources ─┬─ something stale ─► run ─► wait …
 *                 ▲                                 └─ nothing ─────────────────┘
 *                 └── a stop or a signal ends the wait (exit 130 / 143)
 *
 * Each run is a run of its own (a new id, its report, history and retention as any run's):
 * the loop only decides when the next one starts. The check is the plan of the "always
 * current" rules (planUnits.ts, docs/freshness.md) in dry-run: it writes nothing, and the
 * sources are only read. The load is bounded: a run starts at most once per interval, so
 * a unit is recomputed at most once per interval; Track 3's files (minutes of work at
 * scale) at most once per `follow.extractionEvery`.
 */
import { sleep } from '../../db/connection/sleep.js';
import type { Context } from '../../db/context.js';
import type { TrackName } from '../../tracks/protocol/events.js';
import { freshnessOf, planRun, type PlannedUnit } from '../plan/planUnits.js';
import type { RunOutcome } from '../state/events.js';
import type { Waiting } from '../text/waitingLine.js';

/** How one run of the follow ended. */
export interface CycleEnd {
  readonly runId: string;
  readonly exitCode: number;
}

/** How the follow ended: its exit code, and whether it ended between its runs. */
export interface FollowEnd {
  readonly exitCode: number;
  /**
   * Stopped between runs (while it waited, or as a run ended by itself): no run's end told
   * of it, so the follow's own end notice is due. False when a stop ended a run (that run's
   * notice is the last).
   */
  readonly betweenRuns: boolean;
}

/** What the loop needs: when, how to check, how to run one cycle, and whom to tell. */
export interface FollowOptions {
  readonly intervalMs: number;
  /** `follow.extractionEvery` in milliseconds. */
  readonly extractionEveryMs: number;
  /** Aborted by a stop or a signal: the wait ends, no further run starts. */
  readonly signal: AbortSignal;
  /** The units stale now, of the tracks not held. */
  check(hold: ReadonlySet<TrackName>): Promise<readonly PlannedUnit[]>;
  /** One run, with `hold`'s tracks left for a later one; `previous`: the last run's outcome. */
  cycle(hold: ReadonlySet<TrackName>, previous: RunOutcome | undefined): Promise<CycleEnd>;
  /** Between runs: what to show (the dashboard's and the plain lines' waiting line). */
  onWaiting(w: Waiting): void;
  readonly now?: () => number;
}

/** The outcome a run's exit code stands for (README "Exit codes"). */
export function outcomeOf(exitCode: number): RunOutcome {
  if (exitCode === 0) return 'complete';
  return exitCode === 130 || exitCode === 143 ? 'interrupted' : 'failed';
}

/**
 * The tracks a cycle leaves for later: Track 3 while its files were rewritten less than
 * `everyMs` ago (`lastExtraction`: when the last cycle that rewrote some started).
 */
export function heldTracks(
  now: number,
  lastExtraction: number | undefined,
  everyMs: number,
): ReadonlySet<TrackName> {
  if (lastExtraction !== undefined && now - lastExtraction < everyMs)
    return new Set<TrackName>(['extraction']);
  return new Set<TrackName>();
}

/**
 * Whether a cycle of a follow announces its end (notify.command, webhook, bell): when it
 * failed, on the first success after a failure, and when it is the follow's last (stopped).
 * A string of quiet successes stays quiet.
 */
export function shouldNotify(cycle: RunOutcome, previous: RunOutcome | undefined): boolean {
  if (cycle === 'complete') return previous === 'failed';
  return true;
}

/** The units of `ctx`'s scope that a run would compute now, outside `hold`'s tracks. */
export async function staleUnits(
  ctx: Context,
  hold: ReadonlySet<TrackName>,
): Promise<PlannedUnit[]> {
  const plans = await ctx.db.withPgClient((c) =>
    planRun(c, ctx.scope, new Set(), freshnessOf(ctx, { dryRun: true })),
  );
  return plans.filter((p) => !hold.has(p.track)).flatMap((p) => [...p.todo]);
}

/**
 * Runs cycles until a stop: the first at once, then one each time the check finds work,
 * checks an interval apart. Returns the exit code of the follow (the stopped run's: 130 /
 * 143, or 130 when stopped between runs) and where the stop found it.
 */
export async function followRuns(o: FollowOptions): Promise<FollowEnd> {
  const now = o.now ?? Date.now;
  let lastExtraction: number | undefined;
  let lastChange: Waiting['lastChange'];
  let previous: RunOutcome | undefined;
  let pending: readonly PlannedUnit[] | undefined;
  for (;;) {
    const started = now();
    const hold = heldTracks(started, lastExtraction, o.extractionEveryMs);
    // Whether this cycle rewrites Track 3's files: the first always may.
    const extracting = pending
      ? pending.some((u) => u.track === 'extraction')
      : !hold.has('extraction');
    const end = await o.cycle(hold, previous);
    previous = outcomeOf(end.exitCode);
    if (previous === 'interrupted') return { exitCode: end.exitCode, betweenRuns: false };
    if (o.signal.aborted) return { exitCode: 130, betweenRuns: true };
    if (extracting) lastExtraction = started;
    const found = await waitForWork(o, { started, lastExtraction, lastChange });
    if (found === undefined) return { exitCode: 130, betweenRuns: true };
    ({ pending, lastChange } = found);
  }
}

/**
 * Waits between cycles: checks an interval apart (the first an interval after the last
 * cycle started) until a check finds stale units. Undefined when stopped meanwhile.
 */
async function waitForWork(
  o: FollowOptions,
  at: { started: number; lastExtraction: number | undefined; lastChange: Waiting['lastChange'] },
): Promise<{ pending: readonly PlannedUnit[]; lastChange: Waiting['lastChange'] } | undefined> {
  const now = o.now ?? Date.now;
  let base = at.started;
  for (;;) {
    const nextCheck = Math.max(base + o.intervalMs, now() + 1000);
    o.onWaiting({ nextCheck, lastChange: at.lastChange });
    await sleep(nextCheck - now(), o.signal);
    if (o.signal.aborted) return undefined;
    base = now();
    const found = await o.check(heldTracks(base, at.lastExtraction, o.extractionEveryMs));
    if (o.signal.aborted) return undefined;
    if (found.length > 0) return { pending: found, lastChange: { at: base, unit: found[0]!.unit } };
  }
}

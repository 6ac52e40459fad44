import type { Command } from 'commander';
import { EXIT, UserError } from '../../config/userError.js';
import { migrateAll } from '../../orchestrator/run/migrateAll.js';
import { freshnessOf, planRun } from '../../orchestrator/plan/planUnits.js';
import { planJson, planLines } from '../../orchestrator/plan/planText.js';
import { prepareQueue } from '../../orchestrator/run/prepareQueue.js';
import type { TrackName } from '../../tracks/protocol/events.js';
import { type GlobalOptions, openContext } from '../context.js';
import { canDrawDashboard } from '../terminal.js';
import { attachView } from '../live/attach.js';
import { startOrFindLiveRun } from '../live/background.js';
import { superviseInForeground } from '../live/foreground.js';
import { followInForeground, lineView } from '../live/following.js';
import { viewWaitingFollow, waitingFollow } from '../live/waitingFollow.js';
import { findLiveRun } from '../../orchestrator/live/liveRun.js';
import { parseInterval } from '../../config/interval.js';
import {
  applyRunFlags,
  checkRunFlags,
  type RunServiceFlags,
  runFlagArgs,
} from '../live/runServices.js';
import { forTerminal } from '../../orchestrator/text/charset.js';
import {
  parseScopeFlags,
  type ScopeFlagText,
  type ScopeNarrowing,
  scopeFlagWords,
} from '../../config/scopeFlags.js';

interface RunFlags extends RunServiceFlags, ScopeFlagText {
  json?: boolean;
  detach?: boolean;
  /** No bell or desktop notification when the watched run ends. */
  quiet?: boolean;
  recompute?: string | boolean;
  dryRun?: boolean;
  follow?: string | boolean;
}

/** `--follow [interval]` in milliseconds (undefined: not following); default 5m. */
export function followInterval(flag: string | boolean | undefined): number | undefined {
  if (flag === undefined || flag === false) return undefined;
  const parsed = parseInterval(flag === true ? '5m' : flag);
  if ('error' in parsed) throw new UserError(`--follow ${parsed.error}`, EXIT.usage);
  return parsed.ms;
}

const TRACK_NAMES: readonly TrackName[] = ['bollinger', 'regression', 'extraction'];

/** `--recompute [track]` as the set of tracks to recompute. */
export function recomputeSet(flag: string | boolean | undefined): Set<TrackName> {
  if (flag === undefined || flag === false) return new Set();
  if (flag === true || flag === 'all') return new Set(TRACK_NAMES);
  if ((TRACK_NAMES as readonly string[]).includes(flag)) return new Set([flag as TrackName]);
  throw new UserError(
    `--recompute ${JSON.stringify(flag)}: expected all, ${TRACK_NAMES.join(', ')}`,
  );
}

/**
 * `--recompute` as far as `--tracks` lets it force anything; a track it names that
 * `--tracks` leaves out forces nothing, and the user is told so.
 */
export function recomputeInScope(
  recompute: ReadonlySet<TrackName>,
  flag: string | boolean | undefined,
  narrowing: ScopeNarrowing | undefined,
  say: (message: string) => void,
): Set<TrackName> {
  const tracks = narrowing?.tracks;
  if (!tracks) return new Set(recompute);
  const kept = new Set([...recompute].filter((t) => tracks.includes(t)));
  if (typeof flag === 'string' && flag !== 'all' && kept.size === 0)
    say(`--recompute ${flag} forces nothing: --tracks ${tracks.join(',')} leaves ${flag} out`);
  return kept;
}

/** `--recompute and --pairs apply to the next run`: what a live run leaves for the next one. */
export function nextRunNote(recompute: ReadonlySet<TrackName>, n: ScopeNarrowing | undefined) {
  const flags = scopeFlagWords(n).filter((w) => w.startsWith('--'));
  if (recompute.size > 0) flags.unshift('--recompute');
  if (flags.length === 0) return undefined;
  if (flags.length === 1) return `${flags[0]} applies to the next run`;
  return `${flags.slice(0, -1).join(', ')} and ${flags.at(-1)} apply to the next run`;
}

/** What the run's flags ask for: the scope's narrowing and the tracks forced, said once. */
function scopeOfFlags(flags: RunFlags) {
  const say = (m: string) => process.stderr.write(forTerminal(`${m}\n`));
  const narrowing = parseScopeFlags(flags);
  const recompute = recomputeInScope(
    recomputeSet(flags.recompute),
    flags.recompute,
    narrowing,
    say,
  );
  return { say, narrowing, recompute };
}

/**
 * `bqx-monitor [run]`. On a terminal: attaches to the database's live run, or starts one in
 * the background (its own session: closing the terminal detaches the view, never stops
 * the run) and attaches to it; `--detach` starts it and returns. With `--json`, or when
 * stdout is not a terminal, supervises in the foreground for scripts (or follows the live
 * run when there is one). Exit codes: README "Exit codes".
 */
export async function runAction(flags: RunFlags, cmd: Command): Promise<void> {
  const g = cmd.optsWithGlobals<GlobalOptions>();
  const { say, narrowing, recompute } = scopeOfFlags(flags);
  const json = flags.json === true;
  const intervalMs = followInterval(flags.follow);
  checkExclusive(flags, intervalMs);
  if (flags.dryRun) return dryRunAction(flags, cmd);
  checkRunFlags(flags);
  const opened = await openContext(g, say, { narrowing });
  const ctx = { ...opened, settings: applyRunFlags(opened.settings, flags) };
  await migrateAll(ctx.db);
  if (intervalMs !== undefined) {
    // In the foreground: on a terminal, each run's dashboard and a waiting screen between.
    const view =
      !json && canDrawDashboard()
        ? await (await import('../live/followDashboard.js')).dashboardView(ctx, g, {
            quiet: flags.quiet === true,
          })
        : lineView(ctx, g, json);
    process.exitCode = await followInForeground(ctx, { json, recompute, intervalMs }, view);
    return;
  }
  const nextRun = nextRunNote(recompute, narrowing);
  if (json || (!canDrawDashboard() && !flags.detach)) {
    process.exitCode = await superviseInForeground(ctx, g, {
      json,
      recompute,
      ...(nextRun ? { nextRun } : {}),
    });
    return;
  }
  // A follow waiting between its runs owns the database's next run: say so, start none.
  const live = await ctx.db.withPgClient((c) => findLiveRun(c));
  const follow = live.kind === 'none' ? await waitingFollow(ctx) : undefined;
  if (follow) {
    const dashboard = !flags.detach && canDrawDashboard();
    process.exitCode = await viewWaitingFollow(ctx, follow, {
      dashboard,
      quiet: flags.quiet === true,
    });
    return;
  }
  process.exitCode = await inBackground(ctx, g, flags, { recompute, nextRun, say });
}

/** Options that exclude each other: a usage error before anything is opened. */
function checkExclusive(flags: RunFlags, intervalMs: number | undefined): void {
  if (flags.json && flags.detach) throw new UserError('--json and --detach exclude each other');
  if (intervalMs !== undefined && flags.detach)
    throw new UserError('--follow and --detach exclude each other');
}

/**
 * The run in the background (started now, or the live one found): `--detach` says how to
 * reach it and returns 0; otherwise the dashboard attaches and its exit code is the run's.
 */
async function inBackground(
  ctx: Parameters<typeof startOrFindLiveRun>[0],
  g: GlobalOptions,
  flags: RunFlags,
  o: {
    recompute: ReadonlySet<TrackName>;
    nextRun: string | undefined;
    say: (m: string) => void;
  },
): Promise<number> {
  const started = await startOrFindLiveRun(
    ctx,
    g,
    o.recompute,
    runFlagArgs(flags),
    flags.detach ? undefined : o.say,
  );
  if (!started.launched && o.nextRun) o.say(`run ${started.runId} is already live: ${o.nextRun}`);
  if (!flags.detach)
    return attachView(ctx, started.runId, { dashboard: true, quiet: flags.quiet === true });
  process.stdout.write(
    forTerminal(
      `${started.launched ? 'started' : 'already live:'} run ${started.runId} in the background\n` +
        '  watch it:  bqx-monitor attach   (from any shell; or status --watch)\n' +
        '  stop it:   bqx-monitor stop     (--now: at once)\n',
    ),
  );
  return EXIT.ok;
}

/**
 * `bqx-monitor plan [--recompute [track]]`: enqueues every unit not yet done and prints
 * the plan, without running anything, for `worker` processes started by hand (e.g. on
 * other machines) to share.
 */
export async function planAction(flags: RunFlags, cmd: Command): Promise<void> {
  if (flags.dryRun) return dryRunAction(flags, cmd);
  const { narrowing, recompute } = scopeOfFlags(flags);
  const ctx = await openContext(cmd.optsWithGlobals<GlobalOptions>(), () => {}, { narrowing });
  const plans = await prepareQueue(ctx, recompute);
  const rows = plans.map((p) => ({
    track: p.track,
    total: p.total,
    done: p.done,
    noData: p.empty,
    queued: p.todo.length,
  }));
  if (flags.json) process.stdout.write(`${JSON.stringify({ tracks: rows })}\n`);
  else
    for (const r of rows)
      process.stdout.write(
        forTerminal(
          `${r.track.padEnd(11)} ${r.total} unit(s): ${r.done} done, ${r.noData} no data, ${r.queued} queued\n`,
        ),
      );
  process.exitCode = EXIT.ok;
}

/**
 * `run --dry-run` / `plan --dry-run [--json]`: what a run would compute and why, per unit
 * (docs/freshness.md). Enqueues nothing and records nothing (bqx-monitor's own schema is
 * upgraded, and the sources' digests it computes are kept for the next check).
 */
export async function dryRunAction(flags: RunFlags, cmd: Command): Promise<void> {
  const { narrowing, recompute } = scopeOfFlags(flags);
  const ctx = await openContext(cmd.optsWithGlobals<GlobalOptions>(), () => {}, { narrowing });
  await migrateAll(ctx.db);
  const plans = await ctx.db.withPgClient((c) =>
    planRun(c, ctx.scope, recompute, freshnessOf(ctx, { dryRun: true })),
  );
  if (flags.json) process.stdout.write(`${JSON.stringify(planJson(plans))}\n`);
  else process.stdout.write(forTerminal(`${planLines(plans).join('\n')}\n`));
  process.exitCode = EXIT.ok;
}

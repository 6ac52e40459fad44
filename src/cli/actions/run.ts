import type { Command } from 'commander';
import { EXIT, UserError } from '../../config/userError.js';
import { migrateAll } from '../../orchestrator/run/migrateAll.js';
import { planRun } from '../../orchestrator/plan/planUnits.js';
import { planJson, planLines } from '../../orchestrator/plan/planText.js';
import { prepareQueue } from '../../orchestrator/run/prepareQueue.js';
import type { TrackName } from '../../tracks/protocol/events.js';
import { type GlobalOptions, openContext } from '../context.js';
import { canDrawDashboard } from '../terminal.js';
import { attachView } from '../live/attach.js';
import { startOrFindLiveRun } from '../live/background.js';
import { superviseInForeground } from '../live/foreground.js';
import { followInForeground } from '../live/following.js';
import { parseInterval } from '../../config/interval.js';
import { forTerminal } from '../../orchestrator/text/charset.js';

interface RunFlags {
  json?: boolean;
  detach?: boolean;
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
 * `bqx-monitor [run]`. On a terminal: attaches to the database's live run, or starts one in
 * the background (its own session: closing the terminal detaches the view, never stops
 * the run) and attaches to it; `--detach` starts it and returns. With `--json`, or when
 * stdout is not a terminal, supervises in the foreground for scripts (or follows the live
 * run when there is one). Exit codes: README "Exit codes".
 */
export async function runAction(flags: RunFlags, cmd: Command): Promise<void> {
  const g = cmd.optsWithGlobals<GlobalOptions>();
  const recompute = recomputeSet(flags.recompute);
  const json = flags.json === true;
  const say = (m: string) => process.stderr.write(forTerminal(`${m}\n`));
  if (json && flags.detach) throw new UserError('--json and --detach exclude each other');
  const intervalMs = followInterval(flags.follow);
  if (intervalMs !== undefined && flags.detach)
    throw new UserError('--follow and --detach exclude each other');
  if (flags.dryRun) return dryRunAction(flags, cmd);
  const ctx = await openContext(g, say);
  await migrateAll(ctx.db);
  if (intervalMs !== undefined) {
    // In the foreground, on a terminal too: the waiting line is a plain line for now.
    process.exitCode = await followInForeground(ctx, g, { json, recompute, intervalMs });
    return;
  }
  const terminal = canDrawDashboard();
  if (json || (!terminal && !flags.detach)) {
    process.exitCode = await superviseInForeground(ctx, g, { json, recompute });
    return;
  }
  const started = await startOrFindLiveRun(ctx, g, recompute);
  if (!started.launched && recompute.size > 0)
    say(`run ${started.runId} is already live: --recompute applies to the next run`);
  if (flags.detach) {
    process.stdout.write(
      forTerminal(
        `${started.launched ? 'started' : 'already live:'} run ${started.runId} in the background\n` +
          '  watch it:  bqx-monitor attach   (from any shell; or status --watch)\n' +
          '  stop it:   bqx-monitor stop     (--now: at once)\n',
      ),
    );
    process.exitCode = EXIT.ok;
    return;
  }
  process.exitCode = await attachView(ctx, started.runId, { dashboard: true });
}

/**
 * `bqx-monitor plan [--recompute [track]]`: enqueues every unit not yet done and prints
 * the plan, without running anything, for `worker` processes started by hand (e.g. on
 * other machines) to share.
 */
export async function planAction(flags: RunFlags, cmd: Command): Promise<void> {
  if (flags.dryRun) return dryRunAction(flags, cmd);
  const recompute = recomputeSet(flags.recompute);
  const ctx = await openContext(cmd.optsWithGlobals<GlobalOptions>());
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
  const recompute = recomputeSet(flags.recompute);
  const ctx = await openContext(cmd.optsWithGlobals<GlobalOptions>());
  await migrateAll(ctx.db);
  const plans = await ctx.db.withPgClient((c) =>
    planRun(c, ctx.scope, recompute, {
      settings: ctx.settings,
      outDir: ctx.outDir,
      dryRun: true,
    }),
  );
  if (flags.json) process.stdout.write(`${JSON.stringify(planJson(plans))}\n`);
  else process.stdout.write(forTerminal(`${planLines(plans).join('\n')}\n`));
  process.exitCode = EXIT.ok;
}

import type { Command } from 'commander';
import os from 'node:os';
import { sleep } from '../../db/connection/sleep.js';
import { liveFollows, requestFollowStop } from '../../orchestrator/live/followRows.js';
import path from 'node:path';
import { EXIT, UserError } from '../../config/userError.js';
import { RunFollower } from '../../orchestrator/live/followRun.js';
import { findLiveRun } from '../../orchestrator/live/liveRun.js';
import { latestRun } from '../../orchestrator/live/runRecord.js';
import type { TrackName } from '../../tracks/protocol/events.js';
import { type GlobalOptions, openContext } from '../context.js';
import { canDrawDashboard } from '../terminal.js';
import { attachView } from '../live/attach.js';
import { viewWaitingFollow, waitingFollow } from '../live/waitingFollow.js';
import { superviseInForeground } from '../live/foreground.js';
import { applyRunFlags, type RunServiceFlags } from '../live/runServices.js';
import { recomputeSet } from './run.js';
import { forTerminal } from '../../orchestrator/text/charset.js';
import { migrateAll } from '../../orchestrator/run/migrateAll.js';
import { parseScopeFlags, type ScopeFlagText } from '../../config/scopeFlags.js';

/** The live run's id, or a one-line explanation of why there is none. */
async function liveRunId(ctx: Awaited<ReturnType<typeof openContext>>): Promise<string | string[]> {
  const found = await ctx.db.withPgClient((c) => findLiveRun(c));
  if (found.kind === 'live' || found.kind === 'reconnecting') return found.run.runId;
  const last = await ctx.db.withPgClient((c) => latestRun(c));
  const why = last
    ? `the last run, ${last.runId}, ended ${last.status === 'lost' ? 'unexpectedly' : last.status}`
    : 'no run is recorded yet';
  return [`no live run in this database (${why})`];
}

/** `bqx-monitor attach`: the live run's dashboard (plain lines when not on a terminal). */
export async function attachAction(flags: { quiet?: boolean }, cmd: Command): Promise<void> {
  const ctx = await openContext(cmd.optsWithGlobals<GlobalOptions>());
  const id = await liveRunId(ctx);
  const follow = typeof id === 'string' ? undefined : await waitingFollow(ctx);
  const dashboard = canDrawDashboard();
  const quiet = flags.quiet === true;
  if (follow) {
    // No run now, a follow waiting: its waiting line, then its next run.
    process.exitCode = await viewWaitingFollow(ctx, follow, { dashboard, quiet });
    return;
  }
  if (typeof id !== 'string') {
    process.stderr.write(`bqx-monitor: ${id[0]}; start one with \`bqx-monitor\`\n`);
    process.exitCode = EXIT.failed;
    return;
  }
  process.exitCode = await attachView(ctx, id, { dashboard, quiet });
}

/**
 * `bqx-monitor stop [--now]`: asks the live run to stop (its running units finish first;
 * `--now`: at once, their transactions roll back and the next run redoes them) and waits
 * until it has. Exit 0 once stopped, or when nothing was running.
 */
export async function stopAction(flags: { now?: boolean }, cmd: Command): Promise<void> {
  const ctx = await openContext(cmd.optsWithGlobals<GlobalOptions>());
  const id = await liveRunId(ctx);
  // A `run --follow` starts no run after this; one between its runs ends now.
  const follows = await stopFollows(ctx);
  if (typeof id !== 'string' && follows.length > 0) {
    await waitForFollows(ctx, follows);
    return;
  }
  if (typeof id !== 'string') {
    process.stdout.write(forTerminal(`${id[0]}: nothing to stop\n`));
    process.exitCode = EXIT.ok;
    return;
  }
  const run = await RunFollower.open(ctx.db, id);
  try {
    await run.send(flags.now ? 'stop_now' : 'stop', null);
    process.stdout.write(
      forTerminal(
        `asked run ${id} to stop${flags.now ? ' at once' : ' (running units finish first)'}; waiting…\n`,
      ),
    );
    const end = await run.done;
    process.stdout.write(
      forTerminal(
        `run ${id} ${end.status}${end.message ? `: ${end.message}` : ''} (exit ${end.exitCode})\n`,
      ),
    );
    process.exitCode = EXIT.ok;
  } finally {
    run.close();
  }
}

/** Asks every live `run --follow` of the database to stop (any host); returns their ids. */
async function stopFollows(ctx: Awaited<ReturnType<typeof openContext>>): Promise<string[]> {
  return ctx.db.withPgClient(async (c) => {
    const ids = (await liveFollows(c, os.hostname())).map((f) => f.followId);
    if (ids.length > 0) await requestFollowStop(c, ids);
    return ids;
  });
}

/**
 * Waits until the follows `ids`, stopped between their runs, have ended (their rows gone,
 * or judged dead): they notice the stop within a second, then send their end notice.
 */
async function waitForFollows(
  ctx: Awaited<ReturnType<typeof openContext>>,
  ids: readonly string[],
): Promise<void> {
  process.stdout.write(`asked the follow to stop; waiting…\n`);
  const deadline = Date.now() + ctx.settings.notify.timeoutSeconds * 1000 + 60_000;
  let left = ids.length;
  while (left > 0 && Date.now() < deadline) {
    await sleep(200);
    const live = await ctx.db.withPgClient((c) => liveFollows(c, os.hostname()));
    left = live.filter((f) => ids.includes(f.followId)).length;
  }
  process.stdout.write(
    left === 0 ? 'the follow stopped\n' : 'the follow has not ended yet; it was asked to stop\n',
  );
  process.exitCode = EXIT.ok;
}

/**
 * `bqx-monitor supervise --run-id ID` (internal): the run's supervisor as a background
 * process, started by `bqx-monitor` / `run --detach`; its plain lines go to its log.
 */
export async function superviseAction(
  flags: { runId: string; recompute?: string } & RunServiceFlags & ScopeFlagText,
  cmd: Command,
): Promise<void> {
  if (!/^\d{8}-\d{6}-[0-9a-f]{4}$/.test(flags.runId))
    throw new UserError(`--run-id ${JSON.stringify(flags.runId)}: not a run id`);
  const recompute = new Set<TrackName>();
  for (const t of flags.recompute?.split(',') ?? []) {
    for (const x of recomputeSet(t)) recompute.add(x);
  }
  const g = cmd.optsWithGlobals<GlobalOptions>();
  const say = (m: string) => process.stdout.write(forTerminal(`${m}\n`));
  const opened = await openContext(g, say, { narrowing: parseScopeFlags(flags) });
  const ctx = { ...opened, settings: applyRunFlags(opened.settings, flags) };
  // Its starter migrated already; a supervisor started by hand on a fresh database too.
  await migrateAll(ctx.db);
  const logFile = path.join(ctx.dataDir, 'runs', `${flags.runId}.log`);
  process.exitCode = await superviseInForeground(ctx, g, {
    json: false,
    recompute,
    runId: flags.runId,
    logFile,
    background: true,
  });
}

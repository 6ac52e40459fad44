import { readFile } from 'node:fs/promises';
import path from 'node:path';
import type { Context } from '../../db/context.js';
import { type LiveRunLookup, waitForLiveRun } from '../../orchestrator/live/liveRun.js';
import { newRunId, readRun } from '../../orchestrator/live/runRecord.js';
import { launchSupervisor } from '../../orchestrator/run/launch.js';
import type { TrackName } from '../../tracks/protocol/events.js';
import { EXIT, UserError } from '../../config/userError.js';
import { scopeFlagWords } from '../../config/scopeFlags.js';
import { configFile, type GlobalOptions } from '../context.js';
import { CLI_ENTRY } from '../entry.js';

/** The live run this process found or started. */
export interface Started {
  readonly runId: string;
  /** False when the run was already live (this process started nothing). */
  readonly launched: boolean;
}

/** The command line of a background supervisor (the database URL goes in the environment). */
export function supervisorArgs(
  ctx: Context,
  g: GlobalOptions,
  runId: string,
  recompute: ReadonlySet<TrackName>,
  extraArgs: readonly string[] = [],
): string[] {
  const args = [CLI_ENTRY, '--data-dir', ctx.dataDir, '--out', ctx.outDir];
  const config = configFile(g);
  if (config) args.push('--config', config);
  args.push('supervise', '--run-id', runId);
  if (recompute.size > 0) args.push('--recompute', [...recompute].join(','));
  args.push(...extraArgs);
  // The scope flags reach the supervisor as they reached this process.
  args.push(...scopeFlagWords(ctx.settings.narrowing));
  return args;
}

async function logTail(file: string): Promise<string> {
  const text = await readFile(file, 'utf8').catch(() => '');
  return text.trim().split('\n').slice(-8).join('\n');
}

/**
 * The database's live run: found, or started as a background supervisor (its own session,
 * no controlling terminal, its output in `{data-dir}/runs/{run-id}.log`) and waited for
 * until it has recorded itself. Two processes starting at once end up with the same run.
 */
export async function startOrFindLiveRun(
  ctx: Context,
  g: GlobalOptions,
  recompute: ReadonlySet<TrackName>,
  /** The run's own flags for its supervisor (`--notify-cmd`, `--metrics-port`). */
  extraArgs: readonly string[] = [],
  /** Says what it does while the new supervisor starts (it can take seconds on a busy machine). */
  say?: (message: string) => void,
): Promise<Started> {
  const found = await waitForLiveRun(ctx.db.withPgClient, { timeoutMs: 60_000 });
  if (found.kind === 'live' || found.kind === 'reconnecting') {
    return { runId: found.run.runId, launched: false };
  }
  const runId = newRunId();
  const logFile = path.join(ctx.dataDir, 'runs', `${runId}.log`);
  const env = { ...process.env };
  // The URL (with its password) travels in the environment, never on a command line.
  if (!ctx.db.embedded && ctx.db.childUrl) env['DATABASE_URL'] = ctx.db.childUrl;
  say?.(`starting run ${runId} in the background\n  its log: ${logFile}`);
  const child = launchSupervisor({
    file: process.execPath,
    args: supervisorArgs(ctx, g, runId, recompute, extraArgs),
    env,
    logFile,
  });
  const live: LiveRunLookup = await waitForLiveRun(ctx.db.withPgClient, {
    timeoutMs: 120_000,
    expectRun: true,
    stopWaiting: () => child.hasExited(),
  });
  if (live.kind === 'live' || live.kind === 'reconnecting') {
    return { runId: live.run.runId, launched: live.run.runId === runId };
  }
  // It may have run and ended already (a preflight problem): its events tell the story.
  const mine = await ctx.db.withPgClient((c) => readRun(c, runId));
  if (mine) return { runId, launched: true };
  const code = child.hasExited() ? await child.exited : undefined;
  const tail = await logTail(logFile);
  throw new UserError(
    `the run's supervisor ${code === undefined ? 'did not start in time' : `exited with code ${code}`}; its log (${logFile}):\n${tail}`,
    code === EXIT.usage ? EXIT.usage : EXIT.failed,
  );
}

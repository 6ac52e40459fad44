import type { Context } from '../../db/context.js';
import { attachJsonOutput } from '../../orchestrator/headless/jsonOutput.js';
import { attachLineOutput } from '../../orchestrator/headless/lineOutput.js';
import { RunFollower } from '../../orchestrator/live/followRun.js';
import type { RunView } from '../../orchestrator/state/runFeed.js';

/** Writes a run's events as NDJSON or plain lines until it ends; returns its exit code. */
export async function reportRun(
  run: RunView,
  o: {
    readonly json: boolean;
    readonly write: (line: string) => void;
    readonly snapshotMs: number;
    readonly logFile?: string;
  },
): Promise<number> {
  const out = o.json
    ? attachJsonOutput(run, {
        snapshotMs: o.snapshotMs,
        write: o.write,
        ...(o.logFile ? { logFile: o.logFile } : {}),
      })
    : attachLineOutput(run, { progressMs: 10_000, write: o.write });
  const end = await run.done;
  out.finish(end, o.logFile);
  return end.exitCode;
}

/**
 * Follows a run another process supervises, as NDJSON or plain lines, until it ends, and
 * returns the run's exit code. The first line says so. A signal ends the following; the
 * run goes on.
 */
export async function followRun(
  ctx: Context,
  runId: string,
  o: { readonly json: boolean; readonly write: (line: string) => void; readonly why: string },
): Promise<number> {
  const follower = await RunFollower.open(ctx.db, runId);
  const message = `${o.why}: following run ${runId} (supervised elsewhere; this process only watches)`;
  o.write(o.json ? `${JSON.stringify({ kind: 'follow', runId, message })}\n` : `${message}\n`);
  try {
    return await reportRun(follower, { ...o, snapshotMs: ctx.settings.run.snapshotSeconds * 1000 });
  } finally {
    follower.close();
  }
}

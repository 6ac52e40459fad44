import type { Command } from 'commander';
import { formatStatus, readStatus } from '../../orchestrator/report/runStatus.js';
import { type GlobalOptions, openContext } from '../context.js';
import { EXIT } from '../../config/userError.js';
import { parseScopeFlags, type ScopeFlagText } from '../../config/scopeFlags.js';
import { readScopedStatus } from '../../orchestrator/report/scopedStatus.js';
import { forTerminal } from '../../orchestrator/text/charset.js';
import { waitingLine } from '../../orchestrator/text/waitingLine.js';
import os from 'node:os';
import { liveFollows } from '../../orchestrator/live/followRows.js';

/** `bqx-monitor status [--json]`: the last or current run, from the database alone. */
export async function statusAction(
  flags: { json?: boolean; watch?: boolean } & ScopeFlagText,
  cmd: Command,
): Promise<void> {
  const narrowing = parseScopeFlags(flags);
  const ctx = await openContext(cmd.optsWithGlobals<GlobalOptions>(), () => {}, { narrowing });
  if (flags.watch && narrowing)
    process.stderr.write(
      'status --watch follows the whole run: the scope flags narrow status alone\n',
    );
  if (flags.watch) {
    // The live view's modules (the reducer, the follower, the outputs) only for --watch.
    const [{ findLiveRun }, { attachView }] = await Promise.all([
      import('../../orchestrator/live/liveRun.js'),
      import('../live/attach.js'),
    ]);
    const found = await ctx.db.withPgClient((c) => findLiveRun(c));
    if (found.kind === 'live' || found.kind === 'reconnecting') {
      process.exitCode = await attachView(ctx, found.run.runId, {
        dashboard: false,
        json: flags.json === true,
      });
      return;
    }
  }
  const byUnit = Boolean(narrowing?.pairs || narrowing?.from || narrowing?.to);
  const s = await ctx.db.withPgClient((c) =>
    narrowing ? readScopedStatus(c, ctx.scope, byUnit) : readStatus(c),
  );
  // A `run --follow` between its runs (no run is live then), on any host: its waiting line.
  const follow = await ctx.db.withPgClient(async (c) =>
    (await liveFollows(c, os.hostname())).find((f) => f.waiting !== undefined),
  );
  const w = follow?.waiting;
  const waiting = w ? `\n${waitingLine(w)}` : '';
  const json = () =>
    follow && w
      ? {
          ...s,
          follow: {
            ...w,
            host: follow.host,
            pid: follow.pid,
            cycles: follow.cycles,
            lastRunId: follow.lastRunId,
          },
        }
      : s;
  process.stdout.write(
    flags.json ? `${JSON.stringify(json())}\n` : forTerminal(`${formatStatus(s)}${waiting}\n`),
  );
  process.exitCode = EXIT.ok;
}

import type { Command } from 'commander';
import { EXIT } from '../../config/userError.js';
import { findLiveRun } from '../../orchestrator/live/liveRun.js';
import {
  formatVerify,
  pendingJobKeys,
  verifyOutputs,
} from '../../orchestrator/report/verifyOutputs.js';
import { forTerminal } from '../../orchestrator/text/charset.js';
import { type GlobalOptions, openContext } from '../context.js';
import { parseScopeFlags, type ScopeFlagText } from '../../config/scopeFlags.js';

/**
 * `bqx-monitor verify [--json]`: checks every unit's output against its source and the
 * results table; exit 0 when all is verified, 1 when anything is missing, failed or off,
 * 3 when nothing is wrong but units are still queued or running (listed as pending).
 */
export async function verifyAction(
  flags: { json?: boolean } & ScopeFlagText,
  cmd: Command,
): Promise<void> {
  const narrowing = parseScopeFlags(flags);
  const ctx = await openContext(cmd.optsWithGlobals<GlobalOptions>(), () => {}, { narrowing });
  const report = await ctx.db.withPgClient(async (c) => {
    const found = await findLiveRun(c);
    const planned = found.kind === 'live' || found.kind === 'reconnecting' ? found.run.units : {};
    const liveRunUnits = new Set(
      Object.entries(planned).flatMap(([t, us]) => (us ?? []).map((u) => `${t}:${u}`)),
    );
    const work = { jobs: await pendingJobKeys(c), liveRunUnits };
    return verifyOutputs(
      c,
      ctx.settings,
      ctx.scope,
      ctx.outDir,
      (m) => {
        if (!flags.json) process.stderr.write(forTerminal(`${m}\n`));
      },
      work,
    );
  });
  process.stdout.write(
    flags.json ? `${JSON.stringify(report)}\n` : forTerminal(`${formatVerify(report)}\n`),
  );
  process.exitCode =
    report.verdict === 'problems'
      ? EXIT.failed
      : report.verdict === 'pending'
        ? EXIT.pending
        : EXIT.ok;
}

import type { Command } from 'commander';
import { formatStatus, readStatus } from '../../orchestrator/report/runStatus.js';
import {
  formatVerify,
  pendingJobKeys,
  verifyOutputs,
} from '../../orchestrator/report/verifyOutputs.js';
import { findLiveRun } from '../../orchestrator/live/liveRun.js';
import { type GlobalOptions, openContext } from '../context.js';
import { attachView } from '../live/attach.js';
import { EXIT } from '../../config/userError.js';
import { forTerminal } from '../../orchestrator/text/charset.js';

/** `bqx-monitor status [--json]`: the last or current run, from the database alone. */
export function registerStatus(program: Command): void {
  program
    .command('status')
    .description('show the last or current run from the database (works from another shell)')
    .option('--json', 'print JSON')
    .option('--watch', 'follow the live run: a line per event and a progress line, until it ends')
    .action(async (flags: { json?: boolean; watch?: boolean }, cmd: Command) => {
      const ctx = await openContext(cmd.optsWithGlobals<GlobalOptions>());
      if (flags.watch) {
        const found = await ctx.db.withPgClient((c) => findLiveRun(c));
        if (found.kind === 'live' || found.kind === 'reconnecting') {
          process.exitCode = await attachView(ctx, found.run.runId, {
            dashboard: false,
            json: flags.json === true,
          });
          return;
        }
      }
      const s = await ctx.db.withPgClient((c) => readStatus(c));
      process.stdout.write(
        flags.json ? `${JSON.stringify(s)}\n` : forTerminal(`${formatStatus(s)}\n`),
      );
      process.exitCode = EXIT.ok;
    });
}

/**
 * `bqx-monitor verify [--json]`: checks every unit's output against its source and the
 * results table; exit 0 when all is verified, 1 when anything is missing, failed or off,
 * 3 when nothing is wrong but units are still queued or running (listed as pending).
 */
export function registerVerify(program: Command): void {
  program
    .command('verify')
    .description(
      'check partitions and Parquet files against their sources; exit 1 on a problem, 3 while units are pending',
    )
    .option('--json', 'print JSON')
    .action(async (flags: { json?: boolean }, cmd: Command) => {
      const ctx = await openContext(cmd.optsWithGlobals<GlobalOptions>());
      const report = await ctx.db.withPgClient(async (c) => {
        const found = await findLiveRun(c);
        const planned =
          found.kind === 'live' || found.kind === 'reconnecting' ? found.run.units : {};
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
    });
}

import type { Command } from 'commander';
import { formatStatus, readStatus } from '../../orchestrator/report/runStatus.js';
import { formatVerify, verifyOutputs } from '../../orchestrator/report/verifyOutputs.js';
import { type GlobalOptions, openContext } from '../context.js';
import { EXIT } from '../userError.js';

/** `bqx-monitor status [--json]`: the last or current run, from the database alone. */
export function registerStatus(program: Command): void {
  program
    .command('status')
    .description('show the last or current run from the database (works from another shell)')
    .option('--json', 'print JSON')
    .action(async (flags: { json?: boolean }, cmd: Command) => {
      const ctx = await openContext(cmd.optsWithGlobals<GlobalOptions>());
      const s = await ctx.db.withPgClient((c) => readStatus(c));
      process.stdout.write(flags.json ? `${JSON.stringify(s)}\n` : `${formatStatus(s)}\n`);
      process.exitCode = EXIT.ok;
    });
}

/**
 * `bqx-monitor verify [--json]`: checks every unit's output against its source and the
 * results table; exit 0 when all is verified, 1 when anything is missing, failed or off.
 */
export function registerVerify(program: Command): void {
  program
    .command('verify')
    .description('check partitions and Parquet files against their sources; exit 1 on any problem')
    .option('--json', 'print JSON')
    .action(async (flags: { json?: boolean }, cmd: Command) => {
      const ctx = await openContext(cmd.optsWithGlobals<GlobalOptions>());
      const report = await ctx.db.withPgClient((c) =>
        verifyOutputs(c, ctx.settings, ctx.scope, ctx.outDir, (m) => {
          if (!flags.json) process.stderr.write(`${m}\n`);
        }),
      );
      process.stdout.write(
        flags.json ? `${JSON.stringify(report)}\n` : `${formatVerify(report)}\n`,
      );
      process.exitCode = report.ok ? EXIT.ok : EXIT.failed;
    });
}

import type { Command } from 'commander';
import { EXIT, UserError } from '../../config/userError.js';
import { describePruned, pruneRetained } from '../../orchestrator/live/retention.js';
import { readReportFacts } from '../../orchestrator/report/reportFacts.js';
import { formatReport, formatReportMarkdown } from '../../orchestrator/report/reportText.js';
import { formatRuns, listRuns } from '../../orchestrator/report/runList.js';
import { summarizeRun } from '../../orchestrator/report/runReport.js';
import { forTerminal } from '../../orchestrator/text/charset.js';
import { type GlobalOptions, openContext } from '../context.js';

/**
 * `bqx-monitor runs [--json] [--limit N] [--prune]`: past runs, newest first; `--prune`
 * first removes the runs beyond `runs.keep` / `runs.keepMegabytes` (said on stderr; in
 * the JSON as `pruned`).
 */
export async function runsAction(
  flags: { json?: boolean; limit?: string; prune?: boolean },
  cmd: Command,
): Promise<void> {
  const limit = flags.limit === undefined ? 20 : Number(flags.limit);
  if (!Number.isInteger(limit) || limit < 1)
    throw new UserError(
      `--limit must be a whole number of runs, at least 1 (got '${flags.limit}')`,
    );
  const ctx = await openContext(cmd.optsWithGlobals<GlobalOptions>());
  const pruned = flags.prune
    ? await pruneRetained({
        withPgClient: ctx.db.withPgClient,
        dataDir: ctx.dataDir,
        settings: ctx.settings.runs,
      })
    : undefined;
  if (pruned && !flags.json)
    process.stderr.write(`${describePruned(pruned) || 'nothing to prune'}\n`);
  const runs = await ctx.db.withPgClient((c) => listRuns(c, limit));
  process.stdout.write(
    flags.json
      ? `${JSON.stringify(pruned ? { runs, pruned } : { runs })}\n`
      : forTerminal(`${formatRuns(runs)}\n`),
  );
  process.exitCode = EXIT.ok;
}

/**
 * `bqx-monitor report [RUN] [--json|--markdown]`: the post-run report of a run (default:
 * the latest). An id not recorded is a usage error (exit 2); no run at all, exit 1.
 */
export async function reportAction(
  runId: string | undefined,
  flags: { json?: boolean; markdown?: boolean },
  cmd: Command,
): Promise<void> {
  if (flags.json && flags.markdown) throw new UserError('choose one of --json and --markdown');
  const ctx = await openContext(cmd.optsWithGlobals<GlobalOptions>());
  const found = await ctx.db.withPgClient((c) => readReportFacts(c, runId));
  if (found.kind === 'unknown')
    throw new UserError(
      `no run '${found.runId}' is recorded in ${ctx.db.description}; bqx-monitor runs lists them`,
    );
  if (found.kind === 'none')
    throw new UserError(`no run is recorded in ${ctx.db.description} yet`, EXIT.failed);
  const report = summarizeRun(found.facts);
  process.stdout.write(
    flags.json
      ? `${JSON.stringify(report)}\n`
      : forTerminal(`${flags.markdown ? formatReportMarkdown(report) : formatReport(report)}\n`),
  );
  process.exitCode = EXIT.ok;
}

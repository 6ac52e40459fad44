import type { Command } from 'commander';
import { lazyAction } from '../lazyAction.js';

/**
 * `bqx-monitor runs [--json] [--limit N] [--prune]`: past runs, newest first; `--prune`
 * first removes the runs beyond `runs.keep` / `runs.keepMegabytes`, as a run's start does.
 */
export function registerRuns(program: Command): void {
  program
    .command('runs')
    .description('list past runs, newest first: id, start, end, status, units, wall time')
    .option('--json', 'print JSON')
    .option('--limit <n>', 'how many runs (default 20)')
    .option('--prune', 'first remove the runs beyond runs.keep (records, events, logs)')
    .action(lazyAction(() => import('../actions/report.js'), 'runsAction'));
}

/** `bqx-monitor report [RUN] [--json|--markdown]`: a run's post-run report (default: the latest). */
export function registerReport(program: Command): void {
  program
    .command('report')
    .description(
      'the post-run report of a run (default: the latest): per track counts, unit time p50/p90/max, slowest units, failures, hosts',
    )
    .argument('[run]', 'run id (bqx-monitor runs lists them)')
    .option('--json', 'print JSON')
    .option('--markdown', 'print Markdown')
    .action(lazyAction(() => import('../actions/report.js'), 'reportAction'));
}

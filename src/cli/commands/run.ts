import type { Command } from 'commander';
import { lazyAction } from '../lazyAction.js';
import { addScopeOptions, recomputeOption } from './scopeOptions.js';

/**
 * `bqx-monitor [run]`. On a terminal: attaches to the database's live run, or starts one in
 * the background (its own session: closing the terminal detaches the view, never stops
 * the run) and attaches to it; `--detach` starts it and returns. With `--json`, or when
 * stdout is not a terminal, supervises in the foreground for scripts (or follows the live
 * run when there is one). Exit codes: README "Exit codes".
 */
export function registerRun(program: Command): void {
  const run = program
    .command('run', { isDefault: true })
    .description('run the pipeline: attach to the live run, or start one (default command)')
    .option('--json', 'headless: NDJSON events, snapshots and a summary on stdout')
    .option('--detach', 'start the run in the background and return at once')
    .addOption(recomputeOption())
    .option('--dry-run', 'print what a run would compute and why, per unit; run nothing')
    .option('--follow [interval]', 'stay, and run again when the sources change (default 5m)')
    .option('--quiet', 'no bell or desktop notification when the run ends')
    .option('--notify-cmd <path>', 'run this executable when the run ends (BQX_* variables)')
    .option('--metrics-port <port>', 'serve Prometheus metrics on this port (127.0.0.1)');
  addScopeOptions(run).action(lazyAction(() => import('../actions/run.js'), 'runAction'));
}

/**
 * `bqx-monitor plan [--recompute [track]]`: enqueues every unit not yet done and prints
 * the plan, without running anything, for `worker` processes started by hand (e.g. on
 * other machines) to share.
 */
export function registerPlan(program: Command): void {
  const plan = program
    .command('plan')
    .description('enqueue the units not yet done, for workers started by hand')
    .option('--json', 'print JSON')
    .addOption(recomputeOption())
    .option('--dry-run', 'print what a run would compute and why, per unit; enqueue nothing');
  addScopeOptions(plan).action(lazyAction(() => import('../actions/run.js'), 'planAction'));
}

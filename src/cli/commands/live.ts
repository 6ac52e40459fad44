import { type Command, Option } from 'commander';
import { lazyAction } from '../lazyAction.js';
import { addScopeOptions } from './scopeOptions.js';

/** `bqx-monitor attach`: the live run's dashboard (plain lines when not on a terminal). */
export function registerAttach(program: Command): void {
  program
    .command('attach')
    .description('watch and control the live run (any number of sessions, on any host)')
    .option('--quiet', 'no bell or desktop notification when the run ends')
    .action(lazyAction(() => import('../actions/live.js'), 'attachAction'));
}

/**
 * `bqx-monitor stop [--now]`: asks the live run to stop (its running units finish first;
 * `--now`: at once, their transactions roll back and the next run redoes them) and waits
 * until it has. Exit 0 once stopped, or when nothing was running.
 */
export function registerStop(program: Command): void {
  program
    .command('stop')
    .description('stop the live run (running units finish first)')
    .option('--now', 'stop at once: running units are rolled back and redone by the next run')
    .action(lazyAction(() => import('../actions/live.js'), 'stopAction'));
}

/**
 * `bqx-monitor supervise --run-id ID` (internal): the run's supervisor as a background
 * process, started by `bqx-monitor` / `run --detach`; its plain lines go to its log.
 */
export function registerSupervise(program: Command): void {
  const supervise = program
    .command('supervise', { hidden: true })
    .description('the supervisor of a run, in the background (started by bqx-monitor)')
    .addOption(new Option('--run-id <id>', 'the id the run gets').makeOptionMandatory())
    .option('--recompute <tracks>', 'comma-separated tracks whose finished units run again')
    .option('--notify-cmd <path>', 'run this executable when the run ends')
    .option('--metrics-port <port>', 'serve Prometheus metrics on this port');
  addScopeOptions(supervise).action(
    lazyAction(() => import('../actions/live.js'), 'superviseAction'),
  );
}

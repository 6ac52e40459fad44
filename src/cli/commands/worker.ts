import { type Command, Option } from 'commander';
import { lazyAction } from '../lazyAction.js';

/**
 * `bqx-monitor worker --track T [--concurrency N]`: takes units of one track from the
 * queue and runs them, printing protocol events on stdout. SIGTERM or SIGINT: take no new
 * unit, finish the current ones, exit 0 (a second signal exits at once; the unit's
 * transaction rolls back and its job is retried).
 */
export function registerWorker(program: Command): void {
  program
    .command('worker')
    .description('run units of one track from the queue (a second machine can join a run)')
    .addOption(
      new Option('--track <track>', 'bollinger | regression | extraction')
        .choices(['bollinger', 'regression', 'extraction'])
        .makeOptionMandatory(),
    )
    .addOption(new Option('--concurrency <n>', 'units at once in this process').default('1'))
    .option('--until-empty', 'exit once the track has no unit left in the queue')
    .action(lazyAction(() => import('../actions/worker.js'), 'workerAction'));
}

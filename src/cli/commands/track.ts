import { type Command, Argument, Option } from 'commander';
import { lazyAction } from '../lazyAction.js';

/**
 * `bqx-monitor track T --pair P [--month YYYY-MM]`: runs units in this process and prints
 * the worker protocol's NDJSON events on stdout (for debugging; the orchestrator's
 * workers run the same code). Exit 0 when every unit is done or empty, 1 otherwise.
 */
export function registerTrack(program: Command): void {
  program
    .command('track')
    .description('run units of one track directly, printing NDJSON events')
    .addArgument(
      new Argument('<track>', 'bollinger | regression | extraction').choices([
        'bollinger',
        'regression',
        'extraction',
      ]),
    )
    .addOption(new Option('--pair <pair>', 'currency pair, e.g. eurusd').makeOptionMandatory())
    .option(
      '--month <YYYY-MM>',
      'one month (default: every month of the track; not for extraction)',
    )
    .action(lazyAction(() => import('../actions/track.js'), 'trackAction'));
}

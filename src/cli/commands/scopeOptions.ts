import { type Command, Option } from 'commander';

/** The values `--recompute [track]` takes; any other word after it is left to be the command. */
export const RECOMPUTE_VALUES = ['all', 'bollinger', 'regression', 'extraction'] as const;

/** `--recompute [track]`, whose optional value is one of `RECOMPUTE_VALUES`. */
export function recomputeOption(): Option {
  return new Option(
    '--recompute [track]',
    'run finished units again: all (default) or one track',
  ).choices(RECOMPUTE_VALUES);
}

/**
 * `--tracks`, `--pairs`, `--from`, `--to`: what a command covers, narrowed from the config
 * and the dataset without editing them (checked when the command runs: `src/cli/scopeFlags.ts`).
 */
export function addScopeOptions(cmd: Command): Command {
  return cmd
    .option(
      '--tracks <list>',
      'only these tracks, comma-separated: bollinger,regression,extraction',
    )
    .option('--pairs <list>', 'only these of the configured pairs, comma-separated: eurusd,usdjpy')
    .option('--from <YYYY-MM>', 'first month of Tracks 1 and 2 (within their configured months)')
    .option('--to <YYYY-MM>', 'last month of Tracks 1 and 2 (within their configured months)');
}

import type { Command } from 'commander';
import { lazyAction } from '../lazyAction.js';

/** `bqx-monitor seed`: a deterministic synthetic dataset (same seed, same bytes). */
export function registerSeed(program: Command): void {
  program
    .command('seed')
    .description('create and fill the source tables with a deterministic synthetic dataset')
    .option('--preset <name>', 'demo (small, quick) or seed (28 pairs, Jul 2024-Jun 2025)', 'demo')
    .option('--pairs <list>', 'comma-separated pairs, e.g. eurusd,usdjpy')
    .option('--from <YYYY-MM>', 'first month with data')
    .option('--to <YYYY-MM>', 'last month with data')
    .option('--seed <n>', 'random seed')
    .option('--workers <n>', 'pairs generated and loaded at once (default: the cores)')
    .action(lazyAction(() => import('../actions/seed.js'), 'seedAction'));
}

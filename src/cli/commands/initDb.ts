import type { Command } from 'commander';
import { lazyAction } from '../lazyAction.js';

/** `bqx-monitor init-db`: creates the output parents and monthly partitions, idempotently. */
export function registerInitDb(program: Command): void {
  program
    .command('init-db')
    .description('create the output tables and their monthly partitions (idempotent)')
    .action(lazyAction(() => import('../actions/initDb.js'), 'initDbAction'));
}

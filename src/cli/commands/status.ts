import type { Command } from 'commander';
import { lazyAction } from '../lazyAction.js';
import { addScopeOptions } from './scopeOptions.js';

/** `bqx-monitor status [--json]`: the last or current run, from the database alone. */
export function registerStatus(program: Command): void {
  const status = program
    .command('status')
    .description('show the last or current run from the database (works from another shell)')
    .option('--json', 'print JSON')
    .option('--watch', 'follow the live run: a line per event and a progress line, until it ends');
  addScopeOptions(status).action(lazyAction(() => import('../actions/status.js'), 'statusAction'));
}

/**
 * `bqx-monitor verify [--json]`: checks every unit's output against its source and the
 * results table; exit 0 when all is verified, 1 when anything is missing, failed or off,
 * 3 when nothing is wrong but units are still queued or running (listed as pending).
 */
export function registerVerify(program: Command): void {
  const verify = program
    .command('verify')
    .description(
      'check partitions and Parquet files against their sources; exit 1 on a problem, 3 while units are pending',
    )
    .option('--json', 'print JSON');
  addScopeOptions(verify).action(lazyAction(() => import('../actions/verify.js'), 'verifyAction'));
}

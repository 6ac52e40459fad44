import type { Command } from 'commander';
import { lazyAction } from '../lazyAction.js';

/** `bqx-monitor doctor [--json]`: exit 0 when runnable, 2 otherwise. */
export function registerDoctor(program: Command): void {
  program
    .command('doctor')
    .description('check the database against the schema contract (read-only)')
    .option('--json', 'print the report as JSON')
    .action(lazyAction(() => import('../actions/doctor.js'), 'doctorAction'));
}

import { Command, CommanderError, Option } from 'commander';
import { registerDoctor } from './commands/doctor.js';
import { registerInitDb } from './commands/initDb.js';
import { registerAttach, registerStop, registerSupervise } from './commands/live.js';
import { registerPlan, registerRun } from './commands/run.js';
import { registerSeed } from './commands/seed.js';
import { registerStatus, registerVerify } from './commands/status.js';
import { registerTrack } from './commands/track.js';
import { registerWorker } from './commands/worker.js';
import { isShuttingDown, runShutdown } from './shutdown.js';
import { EXIT, UserError } from '../config/userError.js';
import { packageVersion } from './version.js';

/** Builds the command line (DESIGN.md "Command line"). */
export function buildProgram(): Command {
  const program = new Command('bqx-monitor')
    .description('live dashboard and orchestrator for the BQX feature pipeline on PostgreSQL')
    .version(packageVersion(), '-V, --version')
    .addOption(
      new Option(
        '--db <url>',
        'database URL (default: DATABASE_URL, PG* variables, config, else embedded)',
      ),
    )
    .addOption(new Option('--data-dir <dir>', 'directory for the embedded database and run logs'))
    .addOption(new Option('--config <file>', 'JSON config file (see docs/configuration.md)'))
    .addOption(
      new Option('--out <dir>', 'output directory for Parquet files (default data/extracted)'),
    )
    .showHelpAfterError('(run bqx-monitor --help for usage)')
    .exitOverride();
  registerRun(program);
  registerPlan(program);
  registerDoctor(program);
  registerInitDb(program);
  registerSeed(program);
  registerTrack(program);
  registerWorker(program);
  registerStatus(program);
  registerVerify(program);
  registerAttach(program);
  registerStop(program);
  registerSupervise(program);
  for (const cmd of program.commands) cmd.exitOverride();
  return program;
}

/** Runs the CLI; user errors print one line and exit with their code, never a stack trace. */
export async function main(argv: string[]): Promise<number> {
  const program = buildProgram();
  try {
    await program.parseAsync(argv);
    return typeof process.exitCode === 'number' ? process.exitCode : EXIT.ok;
  } catch (err) {
    if (isShuttingDown()) return EXIT.interrupted;
    if (err instanceof CommanderError) {
      const benign = ['commander.helpDisplayed', 'commander.version', 'commander.help'];
      return benign.includes(err.code) ? EXIT.ok : EXIT.usage;
    }
    if (err instanceof UserError) {
      process.stderr.write(`bqx-monitor: ${err.message}\n`);
      return err.exitCode;
    }
    process.stderr.write(`bqx-monitor: internal error: ${(err as Error).stack ?? String(err)}\n`);
    return EXIT.failed;
  } finally {
    await runShutdown();
  }
}

import { Command, CommanderError, Option } from 'commander';
import { registerDoctor } from './commands/doctor.js';
import { registerInitDb } from './commands/initDb.js';
import { registerAttach, registerStop, registerSupervise } from './commands/live.js';
import { registerPlan, registerRun } from './commands/run.js';
import { registerReport, registerRuns } from './commands/report.js';
import { registerSeed } from './commands/seed.js';
import { registerStatus, registerVerify } from './commands/status.js';
import { registerTrack } from './commands/track.js';
import { registerWorker } from './commands/worker.js';
import { grammarOf, placeCommand } from './argv.js';
import { isShuttingDown, runShutdown } from './shutdown.js';
import { EXIT, UserError } from '../config/userError.js';
import { packageVersion } from '../config/version.js';
import { forTerminal } from '../orchestrator/text/charset.js';

/** Builds the command line (docs/spec/DESIGN.md "Command line"). */
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
    // Errors are printed by `main` in the program's own words, as every other error is.
    .configureOutput({ outputError: () => {} })
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
  registerRuns(program);
  registerReport(program);
  registerAttach(program);
  registerStop(program);
  registerSupervise(program);
  for (const cmd of program.commands) cmd.exitOverride();
  return program;
}

/** Commander's `error: unknown option '--jsn'\n(Did you mean --json?)` as one line of ours. */
export function commanderMessage(message: string): string {
  return message
    .replace(/^error: /, '')
    .replace(/\s*\(Did you mean (\S+)\?\)\s*$/, " (did you mean '$1'?)")
    .replace(/\s*\n\s*/g, ' ')
    .trim();
}

/** Runs the CLI; user errors print one line and exit with their code, never a stack trace. */
export async function main(argv: string[]): Promise<number> {
  const program = buildProgram();
  try {
    const grammar = grammarOf(program);
    const placed = placeCommand(argv.slice(2), grammar);
    if (placed.kind === 'unknown-command') {
      // Loaded for a mistyped command only: `--help` and every real command skip it.
      const { closest, distance } = await import('fastest-levenshtein');
      const near = closest(placed.word, [...grammar.commands]);
      const hint = distance(placed.word, near) <= 2 ? ` (did you mean '${near}'?)` : '';
      throw new UserError(`unknown command '${placed.word}'${hint}; see bqx-monitor --help`);
    }
    await program.parseAsync([...argv.slice(0, 2), ...placed.args]);
    return typeof process.exitCode === 'number' ? process.exitCode : EXIT.ok;
  } catch (thrown) {
    if (isShuttingDown()) return EXIT.interrupted;
    let err = thrown;
    if (err instanceof CommanderError) {
      const benign = ['commander.helpDisplayed', 'commander.version', 'commander.help'];
      if (benign.includes(err.code)) return EXIT.ok;
      err = new UserError(`${commanderMessage(err.message)}; see bqx-monitor --help`);
    }
    if (err instanceof UserError) {
      const { paintFor } = await import('../orchestrator/text/paint.js');
      const paint = paintFor('stderr');
      process.stderr.write(forTerminal(`${paint.red('bqx-monitor:')} ${err.message}\n`));
      return err.exitCode;
    }
    process.stderr.write(
      forTerminal(`bqx-monitor: internal error: ${(err as Error).stack ?? String(err)}\n`),
    );
    return EXIT.failed;
  } finally {
    await runShutdown();
  }
}

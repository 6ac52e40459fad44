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
  registerRuns(program);
  registerReport(program);
  registerAttach(program);
  registerStop(program);
  registerSupervise(program);
  for (const cmd of program.commands) cmd.exitOverride();
  return program;
}

/** Global options that take a value: what follows them is not a command. */
const VALUE_OPTIONS = new Set(['--db', '--data-dir', '--config', '--out']);

/**
 * The first word of the command line that is not an option, when it names no command:
 * `run` is the default command, so commander would take `stauts` for an argument of `run`.
 */
export function unknownCommand(
  args: readonly string[],
  names: readonly string[],
): string | undefined {
  for (let i = 0; i < args.length; i++) {
    const a = args[i]!;
    if (a === '--') return undefined;
    if (a.startsWith('-')) {
      if (VALUE_OPTIONS.has(a)) i++;
      continue;
    }
    return names.includes(a) ? undefined : a;
  }
  return undefined;
}

/** Runs the CLI; user errors print one line and exit with their code, never a stack trace. */
export async function main(argv: string[]): Promise<number> {
  const program = buildProgram();
  try {
    const names = program.commands.flatMap((c) => [c.name(), ...c.aliases()]);
    const typo = unknownCommand(argv.slice(2), names);
    if (typo !== undefined) {
      // Loaded for a mistyped command only: `--help` and every real command skip it.
      const { closest, distance } = await import('fastest-levenshtein');
      const near = closest(typo, names);
      const hint = distance(typo, near) <= 2 ? ` (did you mean '${near}'?)` : '';
      throw new UserError(`unknown command '${typo}'${hint}; see bqx-monitor --help`);
    }
    await program.parseAsync(argv);
    return typeof process.exitCode === 'number' ? process.exitCode : EXIT.ok;
  } catch (err) {
    if (isShuttingDown()) return EXIT.interrupted;
    if (err instanceof CommanderError) {
      const benign = ['commander.helpDisplayed', 'commander.version', 'commander.help'];
      return benign.includes(err.code) ? EXIT.ok : EXIT.usage;
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

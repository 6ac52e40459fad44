import type { Command } from 'commander';
import {
  formatMonth,
  type Month,
  monthRange,
  monthProblem,
  parseMonth,
} from '../../config/months.js';
import { runUnitByKey } from '../../orchestrator/worker/runUnitByKey.js';
import { assertPair } from '../../db/contract/physical.js';
import type { UnitOutcome } from '../../db/ledger/results.js';
import { migrate } from '../../db/migrations/migrate.js';
import { type UnitContext, UnitInterrupted, workerIdentity } from '../../tracks/io/unitContext.js';
import { createEmitter } from '../../tracks/protocol/emit.js';
import type { TrackName } from '../../tracks/protocol/events.js';
import { type GlobalOptions, openContext } from '../context.js';
import { EXIT, UserError } from '../../config/userError.js';

interface TrackOptions {
  pair: string;
  month?: string;
}

/** `--month`, checked before anything runs or is printed. */
function monthFlag(opt: string | undefined): Month | undefined {
  if (opt === undefined) return undefined;
  const problem = monthProblem(opt);
  if (problem) throw new UserError(`--month ${opt}: ${problem}`);
  return parseMonth(opt)!;
}

/**
 * `bqx-monitor track T --pair P [--month YYYY-MM]`: runs units in this process and prints
 * the worker protocol's NDJSON events on stdout (for debugging; the orchestrator's
 * workers run the same code). Exit 0 when every unit is done or empty, 1 otherwise.
 */
export async function trackAction(
  track: TrackName,
  opts: TrackOptions,
  cmd: Command,
): Promise<void> {
  let pair: string;
  try {
    pair = assertPair(opts.pair);
  } catch (err) {
    throw new UserError(`--pair: ${(err as Error).message}`);
  }
  if (track === 'extraction' && opts.month !== undefined)
    throw new UserError('--month does not apply to extraction (a unit is a pair)');
  const month = monthFlag(opts.month);
  const ctx = await openContext(cmd.optsWithGlobals<GlobalOptions>());
  await migrate(ctx.db);
  const emit = createEmitter(track as TrackName);
  const unitCtx: UnitContext = {
    withPgClient: ctx.db.withPgClient,
    settings: ctx.settings,
    emit,
    attempt: 1,
    worker: workerIdentity(),
  };
  emit({ type: 'worker_start', concurrency: 1 });
  const outcomes: UnitOutcome[] = [];
  // The units, run by the code the workers run (only this track's runner is loaded).
  const span = track === 'extraction' ? undefined : ctx.scope[track];
  const units = span
    ? (month ? [month] : monthRange(span.from, span.to)).map((m) => `${pair}/${formatMonth(m)}`)
    : [pair];
  const extraction = { outDir: ctx.outDir, compression: ctx.settings.compression };
  try {
    for (const unit of units) outcomes.push(await runUnitByKey(unitCtx, track, unit, extraction));
  } catch (err) {
    if (err instanceof UnitInterrupted) throw new UserError(err.message, EXIT.failed);
    throw err;
  }
  const failed = outcomes.filter((o) => o.status === 'failed').length;
  emit({
    type: 'worker_exit',
    code: failed ? EXIT.failed : EXIT.ok,
    reason: failed ? `${failed} unit(s) failed` : 'all units finished',
    units: outcomes.length,
  });
  process.exitCode = failed ? EXIT.failed : EXIT.ok;
}

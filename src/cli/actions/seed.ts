import type { Command } from 'commander';
import { formatMonth, monthProblem, parseMonth } from '../../config/months.js';
import { assertPair, tableName } from '../../db/contract/physical.js';
import { CONTRACT } from '../../db/contract/tables.js';
import { countBars } from '../../tracks/seed/generate/m1Bars.js';
import { type SeedProgress, seedDataset } from '../../tracks/seed/load.js';
import { threadsForPlan } from '../../tracks/seed/parallelSeed.js';
import { PRESETS, type PresetName, type SeedPlan } from '../../tracks/seed/presets.js';
import { SOURCE_TABLE_KEYS } from '../../tracks/seed/sourceDdl.js';
import {
  advanceSeedProgress,
  seedBarLine,
  seedPairLine,
  startSeedProgress,
} from '../seedProgress.js';
import { onShutdown } from '../shutdown.js';
import { migrateAll } from '../../orchestrator/run/migrateAll.js';
import { type Context, type GlobalOptions, openContext } from '../context.js';
import { UserError } from '../../config/userError.js';
import { forTerminal } from '../../orchestrator/text/charset.js';

interface SeedOptions {
  preset: string;
  pairs?: string;
  from?: string;
  to?: string;
  seed?: string;
}

/** Turns the seed command's options into a plan; every mistake is a UserError. */
export function seedPlanFrom(opts: SeedOptions): SeedPlan {
  if (!(opts.preset in PRESETS)) {
    throw new UserError(
      `unknown preset "${opts.preset}": expected one of ${Object.keys(PRESETS).join(', ')}`,
    );
  }
  const base: SeedPlan = PRESETS[opts.preset as PresetName];
  const month = (flag: string, text: string | undefined) => {
    if (text === undefined) return undefined;
    const problem = monthProblem(text);
    if (problem) throw new UserError(`--${flag} ${text}: ${problem}`);
    return parseMonth(text)!;
  };
  const pairs = opts.pairs
    ? opts.pairs.split(',').map((p) => {
        try {
          return assertPair(p.trim());
        } catch (err) {
          throw new UserError(`--pairs: ${(err as Error).message}`);
        }
      })
    : base.pairs;
  const from = month('from', opts.from) ?? base.data.from;
  const to = month('to', opts.to) ?? base.data.to;
  if (from.year * 12 + from.month > to.year * 12 + to.month) {
    throw new UserError('--from must not be after --to');
  }
  let seed = base.seed;
  if (opts.seed !== undefined) {
    seed = Number(opts.seed);
    if (!Number.isSafeInteger(seed) || seed < 0)
      throw new UserError('--seed must be a non-negative integer');
  }
  const custom = opts.from !== undefined || opts.to !== undefined;
  return {
    preset: base.preset,
    pairs: [...new Set(pairs)],
    data: { from, to },
    bollinger: custom ? { from, to } : base.bollinger,
    regression: custom ? { from, to } : base.regression,
    seed,
  };
}

/** Threads for the plan: `--workers` if given, else sized to the machine (cores, memory). */
export function seedThreadsFor(plan: SeedPlan, workers?: string): number {
  if (workers !== undefined) {
    const n = Number(workers);
    if (!Number.isSafeInteger(n) || n < 1)
      throw new UserError('--workers must be a positive integer');
    return n;
  }
  return threadsForPlan(plan);
}

/**
 * Seeds with progress on stderr (a bar on a terminal, a line per committed pair
 * otherwise), with an ETA from the throughput measured so far. `threads` > 1 loads
 * pairs in worker threads, each on its own session; 1 loads them in this process
 * (default: sized to the machine).
 */
export async function seedWithProgress(
  ctx: Context,
  plan: SeedPlan,
  threads = seedThreadsFor(plan),
): Promise<void> {
  const started = Date.now();
  const tty = process.stderr.isTTY === true;
  const columns = new Map<string, number>();
  for (const pair of plan.pairs)
    for (const key of SOURCE_TABLE_KEYS)
      columns.set(tableName(ctx.settings, key, pair), CONTRACT[key].columns.length);
  const bars = countBars(formatMonth(plan.data.from), formatMonth(plan.data.to));
  const cells =
    plan.pairs.length *
    bars *
    SOURCE_TABLE_KEYS.reduce((n, k) => n + CONTRACT[k].columns.length, 0);
  let state = startSeedProgress(plan.pairs.length, cells, started);
  const onProgress = (e: SeedProgress) => {
    state = advanceSeedProgress(state, e, (t) => columns.get(t) ?? 0);
    if (tty) process.stderr.write(forTerminal(`\r${seedBarLine(state, Date.now())}`));
    else if (e.kind === 'pair')
      process.stderr.write(forTerminal(`${seedPairLine(state, e, Date.now())}\n`));
  };
  const abort = new AbortController();
  const unregister = onShutdown(async () => abort.abort());
  const parallel =
    threads > 1
      ? { threads, connection: ctx.db.childUrl ? { connectionString: ctx.db.childUrl } : {} }
      : undefined;
  try {
    const result = await ctx.db.withPgClient((c) =>
      seedDataset(c, ctx.settings, plan, { onProgress, parallel, signal: abort.signal }),
    );
    if (tty) process.stderr.write('\n');
    const seconds = ((Date.now() - started) / 1000).toFixed(1);
    process.stdout.write(
      forTerminal(
        `seeded ${plan.pairs.length} pairs, ${result.bars} bars (${plan.preset} preset, seed ${plan.seed}) in ${seconds} s\n`,
      ),
    );
  } finally {
    unregister();
  }
}

/** `bqx-monitor seed`: a deterministic synthetic dataset (same seed, same bytes). */
export async function seedAction(
  opts: SeedOptions & { workers?: string },
  cmd: Command,
): Promise<void> {
  const plan = seedPlanFrom(opts);
  const threads = seedThreadsFor(plan, opts.workers);
  const ctx = await openContext(cmd.optsWithGlobals<GlobalOptions>());
  // The dataset record goes into bqx-monitor's own schema: up to date first.
  await migrateAll(ctx.db);
  await seedWithProgress(ctx, plan, threads);
}

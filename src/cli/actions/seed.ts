import type { Command } from 'commander';
import { parseMonth } from '../../config/months.js';
import { assertPair } from '../../db/contract/physical.js';
import { seedDataset } from '../../db/seed/load.js';
import { PRESETS, type PresetName, type SeedPlan } from '../../db/seed/presets.js';
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
    const m = parseMonth(text);
    if (!m)
      throw new UserError(`--${flag} ${JSON.stringify(text)}: expected a month written YYYY-MM`);
    return m;
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

/** Seeds with a progress line on stderr (a bar on a terminal, a line per pair otherwise). */
export async function seedWithProgress(ctx: Context, plan: SeedPlan): Promise<void> {
  const started = Date.now();
  const tty = process.stderr.isTTY === true;
  const tablesPerPair = 7;
  const total = plan.pairs.length * tablesPerPair;
  let done = 0;
  const result = await ctx.db.withPgClient((c) =>
    seedDataset(c, ctx.settings, plan, (p) => {
      done++;
      const pct = Math.floor((100 * done) / total);
      if (tty) {
        const width = 30;
        const filled = Math.round((width * done) / total);
        const bar = `${'#'.repeat(filled)}${'.'.repeat(width - filled)}`;
        process.stderr.write(
          forTerminal(`\rseeding [${bar}] ${String(pct).padStart(3)}%  ${p.table.padEnd(28)}`),
        );
      } else if (done % tablesPerPair === 0) {
        process.stderr.write(
          forTerminal(
            `seeding: ${p.pair} done (${p.pairIndex + 1}/${plan.pairs.length}, ${p.rows} bars)\n`,
          ),
        );
      }
    }),
  );
  if (tty) process.stderr.write('\n');
  const seconds = ((Date.now() - started) / 1000).toFixed(1);
  process.stdout.write(
    forTerminal(
      `seeded ${plan.pairs.length} pairs, ${result.bars} bars (${plan.preset} preset, seed ${plan.seed}) in ${seconds} s\n`,
    ),
  );
}

/** `bqx-monitor seed`: a deterministic synthetic dataset (same seed, same bytes). */
export async function seedAction(opts: SeedOptions, cmd: Command): Promise<void> {
  const plan = seedPlanFrom(opts);
  const ctx = await openContext(cmd.optsWithGlobals<GlobalOptions>());
  await seedWithProgress(ctx, plan);
}

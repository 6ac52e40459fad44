import type pg from 'pg';
import type { Settings } from '../../config/load.js';
import { formatMonth } from '../../config/months.js';
import { META_SCHEMA } from '../../db/dataset.js';
import { ident } from '../../db/sql/ident.js';
import { loadPair } from './loadPair.js';
import { seedPairsInThreads } from './parallelSeed.js';
import type { SeedPlan } from './presets.js';
import type { SeedProgress, SeedThreadData } from './seedMessages.js';

export type { SeedProgress } from './seedMessages.js';

/** How to seed: in this thread, or in worker threads with their own sessions. */
export interface SeedOptions {
  readonly onProgress?: (p: SeedProgress) => void;
  /**
   * Pairs at once in worker threads (`seedThreadCount` sizes it to the machine), each
   * thread on its own session made from `connection`. Without it, pairs are loaded one
   * after another on the caller's client. Both give the same bytes.
   */
  readonly parallel?: {
    readonly threads: number;
    readonly connection: SeedThreadData['connection'];
  };
  /** Stops a parallel seed: pairs being loaded roll back. */
  readonly signal?: AbortSignal;
}

/**
 * Records what was seeded, so runs over this database plan the seeded pairs and months.
 * The table is the migrations' (step 1): callers migrate first, as every command does.
 */
async function recordDataset(client: pg.ClientBase, plan: SeedPlan): Promise<void> {
  await client.query(
    `INSERT INTO ${META_SCHEMA}.dataset (id, preset, seed, pairs, data_from, data_to,
        bollinger_from, bollinger_to, regression_from, regression_to)
     VALUES (1, $1, $2, $3, $4, $5, $6, $7, $8, $9)
     ON CONFLICT (id) DO UPDATE SET preset = $1, seed = $2, pairs = $3, data_from = $4,
        data_to = $5, bollinger_from = $6, bollinger_to = $7, regression_from = $8,
        regression_to = $9, seeded_at = now()`,
    [
      plan.preset,
      plan.seed,
      plan.pairs,
      formatMonth(plan.data.from),
      formatMonth(plan.data.to),
      formatMonth(plan.bollinger.from),
      formatMonth(plan.bollinger.to),
      formatMonth(plan.regression.from),
      formatMonth(plan.regression.to),
    ],
  );
}

/**
 * Generates and bulk-loads the demo dataset: each pair's seven source tables are replaced
 * in one transaction, so an interrupted seed never leaves a half-loaded pair.
 */
export async function seedDataset(
  client: pg.ClientBase,
  settings: Settings,
  plan: SeedPlan,
  options: SeedOptions = {},
): Promise<{ bars: number }> {
  const onProgress = options.onProgress ?? (() => {});
  await client.query(`CREATE SCHEMA IF NOT EXISTS ${ident(settings.schema)}`);
  let bars = 0;
  if (options.parallel) {
    const data: SeedThreadData = { settings, plan, connection: options.parallel.connection };
    bars = await seedPairsInThreads(data, options.parallel.threads, onProgress, options.signal);
  } else {
    for (const [pairIndex, pair] of plan.pairs.entries()) {
      await client.query('BEGIN');
      try {
        const n = await loadPair(client, settings, plan, pair, (table, rows) =>
          onProgress({ kind: 'table', pair, pairIndex, table, rows }),
        );
        await client.query('COMMIT');
        bars += n;
        onProgress({ kind: 'pair', pair, pairIndex, bars: n });
      } catch (err) {
        await client.query('ROLLBACK').catch(() => {});
        throw err;
      }
    }
  }
  await recordDataset(client, plan);
  return { bars };
}

// The plan's cost on an unchanged database (issue 20): the plan as before fingerprints
// ("done once": one read of the ledger) beside the plan that follows the sources, cold
// (every source hashed) and warm (nothing moved: the statistics counters say so), and
// after one table changed. `npm run bench -- --only plan` (4 pairs, seeded once under
// .bench/plan); the figures at 28 pairs are extrapolated per pair.
import path from 'node:path';
import { parseMonth } from '../src/config/months.js';
import { settingsFrom } from '../src/config/validate.js';
import { openDatabase } from '../src/db/connection/open.js';
import { resolveTarget } from '../src/db/connection/target.js';
import type { Scope } from '../src/db/dataset.js';
import { META_SCHEMA } from '../src/db/dataset.js';
import { judgeUnits } from '../src/orchestrator/plan/judgeUnits.js';
import { enumerateUnits, planRun, TRACKS } from '../src/orchestrator/plan/planUnits.js';
import { migrateAll } from '../src/orchestrator/run/migrateAll.js';
import { seedDataset } from '../src/tracks/seed/load.js';
import type { SeedPlan } from '../src/tracks/seed/presets.js';
import { median, timed } from './stats.js';

const m = (s: string) => parseMonth(s)!;
const PAIRS = ['eurusd', 'gbpusd', 'usdjpy', 'audusd'];
const PLAN: SeedPlan = {
  preset: 'bench',
  pairs: PAIRS,
  data: { from: m('2024-07'), to: m('2025-06') },
  bollinger: { from: m('2024-07'), to: m('2025-06') },
  regression: { from: m('2024-07'), to: m('2025-06') },
  seed: 1,
};

/** What the plan bench measured (ms). */
export interface PlanCost {
  readonly pairs: number;
  readonly units: number;
  readonly today_ms: number;
  readonly cold_ms: number;
  readonly warm_ms: number;
  readonly one_table_changed_ms: number;
  readonly warm_ms_at_28_pairs: number;
  readonly cold_ms_at_28_pairs: number;
}

/** Seeds (once) and measures; `runs` warm plans, the median kept. */
export async function benchPlanCost(runs: number, log: (l: string) => void): Promise<PlanCost> {
  const settings = settingsFrom({});
  const db = await openDatabase({
    target: resolveTarget({ flag: undefined, env: {}, configUrl: undefined }),
    dataDir: path.resolve('.bench/plan'),
  });
  try {
    await migrateAll(db);
    const seeded = await db.pool
      .query(`SELECT count(*)::int AS n FROM bqx.m1_${PAIRS.at(-1)}`)
      .then((r) => r.rows[0].n as number)
      .catch(() => 0);
    if (seeded === 0) {
      log(`seeding ${PAIRS.length} pairs × 12 months under .bench/plan (once)…`);
      await db.withPgClient((c) => seedDataset(c, settings, PLAN));
    }
    const scope: Scope = { pairs: PAIRS, bollinger: PLAN.bollinger, regression: PLAN.regression };
    const outDir = path.resolve('.bench/plan/out');
    const fresh = { settings, outDir, dryRun: true };
    const units = TRACKS.flatMap((t) => enumerateUnits(scope, t));
    return await db.withPgClient(async (c) => {
      // Every unit recorded done with the sources' fingerprint now: an up-to-date database.
      await c.query(`DELETE FROM ${META_SCHEMA}.source_watermarks`);
      const cold = await timed(() => planRun(c, scope, new Set(), fresh));
      const { current } = await judgeUnits(c, units, new Map(), { ...fresh, recompute: new Set() });
      await c.query(
        `INSERT INTO ${META_SCHEMA}.unit_results (track, unit, status, rows, host, worker, fingerprint)
         SELECT t, u, 'done', 0, 'bench', 'bench', f FROM unnest($1::text[], $2::text[], $3::jsonb[]) AS x(t, u, f)
         ON CONFLICT (track, unit) DO UPDATE SET status = 'done', fingerprint = EXCLUDED.fingerprint`,
        [
          units.map((u) => u.track),
          units.map((u) => u.unit),
          units.map((u) => JSON.stringify(current.get(`${u.track}:${u.unit}`))),
        ],
      );
      const today: number[] = [];
      const warm: number[] = [];
      for (let i = 0; i < runs; i++) {
        today.push(await timed(() => planRun(c, scope, new Set())));
        warm.push(await timed(() => planRun(c, scope, new Set(), fresh)));
      }
      // One table moved: its mark differs, it is hashed again (one read of the table).
      await c.query(
        `DELETE FROM ${META_SCHEMA}.source_watermarks WHERE source LIKE 'bqx_eurusd(%'`,
      );
      const changed = await timed(() => planRun(c, scope, new Set(), fresh));
      const perPair = (ms: number) => (ms / PAIRS.length) * 28;
      return {
        pairs: PAIRS.length,
        units: units.length,
        today_ms: median(today),
        cold_ms: cold,
        warm_ms: median(warm),
        one_table_changed_ms: changed,
        warm_ms_at_28_pairs: perPair(median(warm)),
        cold_ms_at_28_pairs: perPair(cold),
      };
    });
  } finally {
    await db.close();
  }
}

/** The figures as lines. */
export function printPlanCost(p: PlanCost, write: (t: string) => void): void {
  const s = (ms: number) => `${(ms / 1000).toFixed(2)} s`;
  write(
    `\nplan cost at ${p.pairs} pairs (${p.units} units): today ("done once") ${s(p.today_ms)}; ` +
      `with fingerprints, unchanged ${s(p.warm_ms)} (median), first check ${s(p.cold_ms)}, ` +
      `one table changed ${s(p.one_table_changed_ms)}. At 28 pairs (per pair × 28): ` +
      `unchanged ${s(p.warm_ms_at_28_pairs)}, first check ${s(p.cold_ms_at_28_pairs)}\n`,
  );
}

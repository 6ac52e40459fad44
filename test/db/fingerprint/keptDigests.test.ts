import type pg from 'pg';
import { afterAll, describe, expect, it } from 'vitest';
import { settingsFrom } from '../../../src/config/validate.js';
import { createPool } from '../../../src/db/connection/pool.js';
import { sourceNeeds } from '../../../src/db/fingerprint/currentFingerprint.js';
import { keptDigestsNow, refreshDigests } from '../../../src/db/fingerprint/digestCache.js';
import {
  computeFingerprint,
  type Fingerprint,
  type UnitInputs,
} from '../../../src/db/fingerprint/fingerprint.js';
import { migrateAll } from '../../../src/orchestrator/run/migrateAll.js';
import { unitFingerprint } from '../../../src/tracks/freshness/readFingerprinted.js';
import { unitInputsResolver } from '../../../src/tracks/freshness/unitInputs.js';
import { changeSources } from '../../support/sourceChanges.js';
import { createTestDatabase, type TestDatabase } from '../../support/testDatabase.js';

const dbs: TestDatabase[] = [];
afterAll(async () => {
  for (const db of dbs) await db.drop();
});

const settings = settingsFrom({});
const UNITS = [
  ['bollinger', 'eurusd/2024-08'],
  ['regression', 'eurusd/2024-08'],
  ['extraction', 'eurusd'],
] as const;

const sourcesOf = (i: UnitInputs) => [
  ...new Map(i.parts.map((p) => [p.source.name, p.source])).values(),
];

/** In one REPEATABLE READ snapshot: the unit's fingerprint as a run takes it, and hashed. */
async function both(c: pg.ClientBase, i: UnitInputs) {
  await c.query('BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY');
  try {
    const kept = await keptDigestsNow(c, sourcesOf(i));
    const run = await unitFingerprint(c, i);
    const hashed = await computeFingerprint(c, i);
    return { kept: [...kept.keys()], run, hashed };
  } finally {
    await c.query('COMMIT');
  }
}

describe("a unit's fingerprint from the plan's kept digests", { timeout: 180_000 }, () => {
  it('equals the hashed one, and is never taken for a source changed since', async () => {
    const db = await createTestDatabase();
    dbs.push(db);
    const p = createPool({ connectionString: db.url });
    await migrateAll(p).finally(() => p.pool.end());
    const c = await db.pool.connect();
    const other = await db.pool.connect();
    try {
      const inputsOf = unitInputsResolver(c, settings);
      const inputs = await Promise.all(UNITS.map(([t, u]) => inputsOf(t, u)));
      const needs = sourceNeeds(inputs);
      // Nothing kept yet: every unit hashes its sources.
      for (const i of inputs) expect((await both(c, i)).kept).toEqual([]);

      // Kept by a plan: every source is taken from the kept digests, and equals its hash.
      await refreshDigests(c, needs);
      for (const i of inputs) {
        const r = await both(c, i);
        expect(r.kept.sort()).toEqual(
          sourcesOf(i)
            .map((s) => s.name)
            .sort(),
        );
        expect(r.run).toEqual(r.hashed);
      }

      // A snapshot taken before a change and before the plan kept its digests again: the
      // newer kept digests are not visible in it, and the older ones no longer match the
      // counters, so the unit hashes what it reads (the rows before the change).
      await other.query('BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY');
      await other.query('SELECT 1');
      const august = `bqx.bqx_eurusd SET w15_bqx_return = -w15_bqx_return
                      WHERE ts_utc = '2024-08-15 12:00:00+00'`;
      await changeSources(db, ['bqx_eurusd'], [{ sql: `UPDATE ${august}`, rows: 1 }]);
      await refreshDigests(c, needs);
      const bqx = 'bqx_eurusd(w15_bqx_return)';
      const inOld = await keptDigestsNow(other, sourcesOf(inputs[0]!));
      expect([...inOld.keys()]).not.toContain(bqx);
      const oldRun: Fingerprint = await unitFingerprint(other, inputs[0]!);
      const oldHashed = await computeFingerprint(other, inputs[0]!);
      await other.query('COMMIT');
      expect(oldRun).toEqual(oldHashed);

      // A change the kept digests have not seen: that source is hashed, the others kept.
      await changeSources(db, ['bqx_eurusd'], [{ sql: `UPDATE ${august}`, rows: 1 }]);
      const r = await both(c, inputs[1]!);
      expect(r.kept).toEqual(['m1_eurusd(rate_index)']);
      expect(r.run).toEqual(r.hashed);
      expect(r.run.parts[`${bqx}@2024-08`]).toEqual(oldRun.parts[`${bqx}@2024-08`]);
    } finally {
      c.release();
      other.release();
    }
  });
});

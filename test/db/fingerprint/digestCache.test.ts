import type pg from 'pg';
import { afterAll, describe, expect, it } from 'vitest';
import { settingsFrom } from '../../../src/config/validate.js';
import { fingerprintFrom, sourceNeeds } from '../../../src/db/fingerprint/currentFingerprint.js';
import { refreshDigests } from '../../../src/db/fingerprint/digestCache.js';
import { readWithFingerprint } from '../../../src/db/fingerprint/fingerprint.js';
import { migrateAll } from '../../../src/orchestrator/run/migrateAll.js';
import { unitInputsResolver } from '../../../src/tracks/freshness/unitInputs.js';
import { createPool } from '../../../src/db/connection/pool.js';
import { changeSources } from '../../support/sourceChanges.js';
import { createTestDatabase, type TestDatabase } from '../../support/testDatabase.js';

const dbs: TestDatabase[] = [];
afterAll(async () => {
  for (const db of dbs) await db.drop();
});

const settings = settingsFrom({});
const UNITS = [
  ['bollinger', 'eurusd/2024-07'],
  ['bollinger', 'eurusd/2024-08'],
  ['regression', 'eurusd/2024-08'],
  ['extraction', 'eurusd'],
] as const;

async function database(): Promise<TestDatabase> {
  const db = await createTestDatabase();
  dbs.push(db);
  const p = createPool({ connectionString: db.url });
  await migrateAll(p).finally(() => p.pool.end());
  return db;
}

describe('the digests of the sources a plan compares fingerprints with', {
  timeout: 180_000,
}, () => {
  it('equal what a unit computes in its snapshot; are reused until the counters move', async () => {
    const db = await database();
    const c = await db.pool.connect();
    try {
      const inputsOf = unitInputsResolver(c, settings);
      const inputs = await Promise.all(UNITS.map(([t, u]) => inputsOf(t, u)));
      const needs = sourceNeeds(inputs);
      const first = await refreshDigests(c, needs);
      expect(first.hashed).toHaveLength(needs.length);
      // A unit's own fingerprint, taken in a snapshot, is the plan's: nothing changed.
      for (const i of inputs) {
        const own = await readWithFingerprint(c, i, async () => undefined);
        expect(fingerprintFrom(i, first.digests)).toEqual(own.fingerprint);
      }
      const again = await refreshDigests(c, needs);
      expect(again.hashed).toEqual([]);
      expect(again.reused).toBe(needs.length);

      // One table changes: only its sources are hashed again, and the change shows.
      await changeSources(
        db,
        ['bqx_eurusd'],
        [
          {
            sql: `UPDATE bqx.bqx_eurusd SET w15_bqx_return = -w15_bqx_return
                 WHERE ts_utc = '2024-07-15 12:00:00+00'`,
            rows: 1,
          },
        ],
      );
      const after = await refreshDigests(c, needs);
      expect(after.hashed).toEqual(['bqx_eurusd(w15_bqx_return)']);
      const july = fingerprintFrom(inputs[0]!, after.digests);
      const before = fingerprintFrom(inputs[0]!, first.digests);
      expect(july.parts['bqx_eurusd(w15_bqx_return)@2024-07']![0]).toBe(
        before.parts['bqx_eurusd(w15_bqx_return)@2024-07']![0],
      );
      expect(july.parts['bqx_eurusd(w15_bqx_return)@2024-07']![1]).not.toBe(
        before.parts['bqx_eurusd(w15_bqx_return)@2024-07']![1],
      );
      // A statistics reset: everything is hashed again.
      await c.query('SELECT pg_stat_reset()');
      const reset = await refreshDigests(c, needs);
      expect(reset.hashed).toHaveLength(needs.length);
    } finally {
      c.release();
    }
  });

  it('hashes changed sources on several sessions at once, to the same digests', async () => {
    const db = await database();
    const p = createPool({ connectionString: db.url });
    const c = await db.pool.connect();
    try {
      const inputsOf = unitInputsResolver(c, settings);
      const inputs = await Promise.all(UNITS.map(([t, u]) => inputsOf(t, u)));
      const needs = sourceNeeds(inputs);
      const byContent = await refreshDigests(c, needs, { always: true });
      const sessions = new Set<number>();
      const counted = {
        sessions: 3,
        withPgClient: <T>(fn: (x: pg.PoolClient) => Promise<T>) =>
          p.withPgClient(async (x) => {
            sessions.add((await x.query('SELECT pg_backend_pid() AS pid')).rows[0].pid);
            return fn(x);
          }),
      };
      const parallel = await refreshDigests(c, needs, { hashWith: counted });
      expect([...parallel.hashed].sort()).toEqual(needs.map((n) => n.source.name).sort());
      expect(sessions.size).toBe(3);
      expect(parallel.digests).toEqual(byContent.digests);
      // Kept with their marks: the next plan reuses them all.
      const again = await refreshDigests(c, needs, { hashWith: counted });
      expect(again.hashed).toEqual([]);
      expect(again.digests).toEqual(byContent.digests);
    } finally {
      c.release();
      await p.pool.end();
    }
  });

  it('hashes a view every time (no counters), and by content when asked', async () => {
    const db = await database();
    const c = await db.pool.connect();
    try {
      await c.query('ALTER TABLE bqx.m1_eurusd RENAME TO m1_eurusd_t');
      await c.query('CREATE VIEW bqx.m1_eurusd AS SELECT * FROM bqx.m1_eurusd_t');
      const inputs = await unitInputsResolver(c, settings)('regression', 'eurusd/2024-08');
      const needs = sourceNeeds([inputs]);
      await refreshDigests(c, needs);
      const again = await refreshDigests(c, needs);
      expect(again.uncounted).toEqual(['m1_eurusd(rate_index)']);
      expect(again.hashed).toEqual(['m1_eurusd(rate_index)']);
      const all = await refreshDigests(c, needs, { always: true });
      expect(all.hashed).toHaveLength(needs.length);
    } finally {
      c.release();
    }
  });
});

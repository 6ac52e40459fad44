import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { correctUnitMs, recordOutcome, type UnitOutcome } from '../../src/db/ledger/results.js';
import { createTestDatabase, type TestDatabase } from '../support/testDatabase.js';

let db: TestDatabase;
beforeAll(async () => {
  db = await createTestDatabase();
});
afterAll(async () => {
  await db.drop();
});

const outcome = (o: Partial<UnitOutcome>): UnitOutcome => ({
  track: 'regression',
  unit: 'eurusd/2024-07',
  status: 'done',
  rows: 10,
  bytes: 100,
  ms: 5000,
  attempt: 1,
  host: 'vm',
  worker: 'vm:1',
  ...o,
});

const history = async () =>
  (
    await db.pool.query(
      'SELECT run_id, status, ms, error, attempts FROM bqx_monitor.unit_history ORDER BY id',
    )
  ).rows;

describe('the outcome history', () => {
  it("keeps every outcome with its run while unit_results keeps the latest; a pause's correction reaches the latest only", async () => {
    await db.pool.query(
      "INSERT INTO bqx_monitor.runs (run_id, status, host, pid) VALUES ('r1', 'running', 'vm', 1)",
    );
    const c = await db.pool.connect();
    try {
      await recordOutcome(c, outcome({ status: 'failed', error: 'E1: boom', ms: 700 }));
      await recordOutcome(c, outcome({ attempt: 2 }));
      await c.query("UPDATE bqx_monitor.runs SET status = 'complete' WHERE run_id = 'r1'");
      await db.pool.query(
        "INSERT INTO bqx_monitor.runs (run_id, status, host, pid) VALUES ('r2', 'running', 'vm', 1)",
      );
      await recordOutcome(c, outcome({ ms: 9000 }));
      await correctUnitMs(c, 'regression', 'eurusd/2024-07', 4000);
    } finally {
      c.release();
    }
    expect(await history()).toEqual([
      { run_id: 'r1', status: 'failed', ms: 700, error: 'E1: boom', attempts: 1 },
      { run_id: 'r1', status: 'done', ms: 5000, error: null, attempts: 2 },
      { run_id: 'r2', status: 'done', ms: 4000, error: null, attempts: 1 },
    ]);
    const latest = await db.pool.query('SELECT run_id, ms FROM bqx_monitor.unit_results');
    expect(latest.rows).toEqual([{ run_id: 'r2', ms: 4000 }]);
  });

  it('records both or neither: an outcome the ledger refuses leaves no history', async () => {
    const before = (await history()).length;
    const c = await db.pool.connect();
    try {
      await expect(
        recordOutcome(c, outcome({ unit: 'eurusd/2024-08', status: 'lost' as never })),
      ).rejects.toThrow(/check constraint/);
    } finally {
      c.release();
    }
    expect(await history()).toHaveLength(before);
  });
});

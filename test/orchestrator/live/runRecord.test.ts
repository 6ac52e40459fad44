import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  beatRun,
  insertRun,
  newRunId,
  readRun,
  readRunWithSnapshot,
  runSnapshot,
} from '../../../src/orchestrator/live/runRecord.js';
import { createTestDatabase, type TestDatabase } from '../../support/testDatabase.js';

// A view reads its run's row and snapshot every second, in one statement.
describe('readRunWithSnapshot', () => {
  let db: TestDatabase;
  let empty: TestDatabase;
  beforeAll(async () => {
    [db, empty] = await Promise.all([createTestDatabase(), createTestDatabase({ empty: true })]);
  });
  afterAll(async () => {
    await Promise.all([db?.drop(), empty?.drop()]);
  });

  it('gives what readRun and runSnapshot give, in one read', async () => {
    const c = await db.pool.connect();
    try {
      const runId = newRunId();
      await insertRun(c, { runId, host: 'vm', pid: 4242 });
      expect(await readRunWithSnapshot(c, runId)).toEqual({
        run: await readRun(c, runId),
        snapshot: undefined,
      });
      const snapshot = { phase: 'running', tracks: { bollinger: { done: 3 } }, note: 'é ✓' };
      expect(await beatRun(c, runId, 'running', snapshot)).toBe(true);
      const got = await readRunWithSnapshot(c, runId);
      expect(got?.run).toEqual(await readRun(c, runId));
      expect(got?.run).toMatchObject({ runId, status: 'running', host: 'vm', pid: 4242 });
      expect(got?.snapshot).toEqual(snapshot);
      expect(got?.snapshot).toEqual(await runSnapshot(c, runId));
    } finally {
      c.release();
    }
  });

  it('is undefined for a run not recorded, and on a database without the runs table', async () => {
    const c = await db.pool.connect();
    try {
      expect(await readRunWithSnapshot(c, '20260101-000000-none')).toBeUndefined();
    } finally {
      c.release();
    }
    const e = await empty.pool.connect();
    try {
      expect(await readRunWithSnapshot(e, '20260101-000000-none')).toBeUndefined();
      // The session is still usable: the failed statement left no transaction open.
      expect((await e.query('SELECT 1 AS one')).rows[0]).toEqual({ one: 1 });
    } finally {
      e.release();
    }
  });
});

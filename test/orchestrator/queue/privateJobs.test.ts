import { makeWorkerUtils, run } from 'graphile-worker';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  enqueueUnits,
  migrateQueue,
  queueLogger,
} from '../../../src/orchestrator/queue/jobQueue.js';
import { releaseInterruptedJobs } from '../../../src/orchestrator/queue/privateJobs.js';
import { jobKey, taskName } from '../../../src/orchestrator/queue/queueNames.js';
import { createTestDatabase, type TestDatabase } from '../../support/testDatabase.js';

/*
 * The writes to graphile-worker's private jobs table (src/orchestrator/queue/privateJobs.ts),
 * run against the installed graphile-worker: an upgrade that renames the table or its
 * columns, or changes what they mean, fails here, read back through its public `jobs` view.
 */

interface JobRow {
  key: string;
  attempts: number;
  locked_by: string | null;
  payload: { unit: string; plannedAt: string };
}

describe("graphile-worker's private jobs table, as bqx-monitor writes it", () => {
  let db: TestDatabase;
  const units = [
    { track: 'bollinger' as const, unit: 'eurusd/2024-07' },
    { track: 'bollinger' as const, unit: 'eurusd/2024-08' },
  ];
  const jobs = async (): Promise<JobRow[]> =>
    (
      await db.pool.query<JobRow>(
        // The public view has no payload: that one column is read where it is written.
        `SELECT j.key, j.attempts, j.locked_by, p.payload
           FROM graphile_worker.jobs j JOIN graphile_worker._private_jobs p USING (id)
          ORDER BY j.key`,
      )
    ).rows;

  beforeAll(async () => {
    db = await createTestDatabase({ empty: true });
    await migrateQueue(db.pool);
  });
  afterAll(async () => {
    await db.drop();
  });

  it('re-plans waiting jobs (keeping their attempts) and removes the failed ones', async () => {
    const c = await db.pool.connect();
    try {
      expect(await enqueueUnits(c, units, 3)).toBe(2);
      const [first, second] = await jobs();
      // One job failed for good, through graphile-worker's public function.
      const id = (
        await db.pool.query('SELECT id FROM graphile_worker.jobs WHERE key = $1', [first!.key])
      ).rows[0].id;
      const utils = await makeWorkerUtils({ pgPool: db.pool, logger: queueLogger() });
      try {
        await utils.permanentlyFailJobs([id], 'failed for the test');
      } finally {
        await utils.release();
      }
      expect((await jobs())[0]!.attempts).toBe(3);
      // A new plan: the failed job is replaced by a fresh one; the other is kept, re-planned.
      expect(await enqueueUnits(c, units, 3)).toBe(1);
      const [again1, again2] = await jobs();
      expect(again1).toMatchObject({ key: jobKey('bollinger', 'eurusd/2024-07'), attempts: 0 });
      expect(again2!.key).toBe(second!.key);
      expect(again2!.attempts).toBe(0);
      expect(Date.parse(again2!.payload.plannedAt)).toBeGreaterThan(
        Date.parse(second!.payload.plannedAt),
      );
    } finally {
      c.release();
    }
  });

  it('gives a locked job its attempt back when its worker was stopped at once', async () => {
    let started!: () => void;
    const isRunning = new Promise<void>((r) => {
      started = r;
    });
    let finish!: () => void;
    const held = new Promise<void>((r) => {
      finish = r;
    });
    const runner = await run({
      pgPool: db.pool,
      concurrency: 1,
      noHandleSignals: true,
      pollInterval: 100,
      logger: queueLogger(),
      taskList: {
        [taskName('bollinger')]: async () => {
          started();
          await held;
          throw new Error('interrupted');
        },
      },
    });
    try {
      await isRunning;
      const locked = (await jobs()).find((j) => j.locked_by !== null)!;
      expect(locked.attempts).toBe(1);
      const c = await db.pool.connect();
      try {
        expect(await releaseInterruptedJobs(c, [locked.locked_by!])).toBe(1);
      } finally {
        c.release();
      }
      const after = (await jobs()).find((j) => j.key === locked.key)!;
      expect(after).toMatchObject({ locked_by: null, attempts: 0 });
    } finally {
      finish();
      await runner.stop();
    }
  });
});

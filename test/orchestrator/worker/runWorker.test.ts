import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Context } from '../../../src/db/context.js';
import { prepareQueue } from '../../../src/orchestrator/run/prepareQueue.js';
import { taskName } from '../../../src/orchestrator/queue/queueNames.js';
import { startWorker, type WorkerOptions } from '../../../src/orchestrator/worker/runWorker.js';
import type { EventBody } from '../../../src/tracks/protocol/emit.js';
import { openTestContext } from '../../support/testContext.js';
import { createTestDatabase, type TestDatabase } from '../../support/testDatabase.js';

/*
 * The worker's loop in this process, on a real database (a clone of the seeded template)
 * with the real queue: it takes its track's units, runs them, reports, registers itself
 * and leaves the registry at its end.
 */

let db: TestDatabase;
let dir: string;
let ctx: Context;

beforeAll(async () => {
  db = await createTestDatabase();
  dir = await mkdtemp(path.join(os.tmpdir(), 'bqx-worker-'));
  ctx = await openTestContext(db, dir);
});

afterAll(async () => {
  await ctx?.db.close();
  await db?.drop();
  if (dir) await rm(dir, { recursive: true, force: true });
});

function worker(o: Partial<WorkerOptions> = {}) {
  const events: EventBody[] = [];
  const logs: string[] = [];
  const started = startWorker({
    db: ctx.db,
    settings: ctx.settings,
    track: 'bollinger',
    concurrency: 2,
    extraction: { outDir: ctx.outDir, compression: 'none' },
    emit: (e) => void events.push(e),
    untilEmpty: true,
    log: (m) => void logs.push(m),
    ...o,
  });
  return { started, events, logs };
}

const count = async (sql: string, params: unknown[] = []) =>
  (await db.pool.query(sql, params)).rows[0].n as number;

describe('startWorker', () => {
  it('runs its track until the queue is empty, then leaves the registry', async () => {
    const plans = await prepareQueue(ctx, new Set());
    const todo = plans.find((p) => p.track === 'bollinger')!.todo.length;
    expect(todo).toBeGreaterThan(0);
    const w = worker();
    const running = await w.started;
    // Registered while it runs: its units can be released if it dies.
    expect(
      await count('SELECT count(*)::int AS n FROM bqx_monitor.workers WHERE pid = $1', [
        process.pid,
      ]),
    ).toBeGreaterThan(0);
    expect(await running.done).toBe(todo);
    const done = w.events.filter((e) => e.type === 'unit_done' || e.type === 'unit_empty');
    expect(done).toHaveLength(todo);
    expect(w.events.at(-1)).toEqual({
      type: 'worker_exit',
      code: 0,
      reason: 'the queue has no more units for this track',
      units: todo,
    });
    expect(
      await count(
        "SELECT count(*)::int AS n FROM bqx_monitor.unit_results WHERE track = 'bollinger'",
      ),
    ).toBe(todo);
    expect(
      await count('SELECT count(*)::int AS n FROM bqx_monitor.workers WHERE pid = $1', [
        process.pid,
      ]),
    ).toBe(0);
  });

  it('a job whose unit finished after it was planned is reported, not run again', async () => {
    // The units are all done (above); their jobs come back as a run planned before would.
    const done = await db.pool.query<{ unit: string }>(
      "SELECT unit FROM bqx_monitor.unit_results WHERE track = 'bollinger'",
    );
    const units = done.rows.map((r) => r.unit);
    await db.pool.query(
      `SELECT graphile_worker.add_job(identifier => $1, job_key => $2 || u,
                payload => json_build_object('unit', u, 'plannedAt', '2000-01-01T00:00:00Z'))
         FROM unnest($3::text[]) u`,
      [taskName('bollinger'), 'bollinger:', units],
    );
    const w = worker();
    const running = await w.started;
    expect(await running.done).toBe(0);
    const again = w.events.filter((e) => e.type === 'warning' && e.code === 'already_done');
    expect(again).toHaveLength(units.length);
    expect(w.events.filter((e) => e.type === 'unit_start')).toHaveLength(0);
  });

  it('stop: takes no new unit and ends with the reason it was given', async () => {
    await prepareQueue(ctx, new Set(['bollinger']));
    const w = worker({ untilEmpty: false, concurrency: 1 });
    const running = await w.started;
    await expect
      .poll(() => w.events.some((e) => e.type === 'unit_start'), { timeout: 60_000 })
      .toBe(true);
    running.stop('told to stop by the test');
    const units = await running.done;
    expect(w.events.at(-1)).toMatchObject({
      type: 'worker_exit',
      code: 0,
      reason: 'told to stop by the test',
      units,
    });
  });
});

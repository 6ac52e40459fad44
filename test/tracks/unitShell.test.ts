import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { settingsFrom } from '../../src/config/validate.js';
import { createPool } from '../../src/db/connection/pool.js';
import type { EventBody } from '../../src/tracks/protocol/emit.js';
import { readInSnapshot } from '../../src/tracks/io/readInSnapshot.js';
import { type UnitContext, UnitInterrupted } from '../../src/tracks/io/unitContext.js';
import { emptyUnit, runUnitShell } from '../../src/tracks/io/unitShell.js';
import { createTestDatabase, type TestDatabase } from '../support/testDatabase.js';

describe('the unit shell on a real database', () => {
  let db: TestDatabase;
  let access: ReturnType<typeof createPool>;
  beforeAll(async () => {
    db = await createTestDatabase();
    access = createPool({ connectionString: db.url });
  });
  afterAll(async () => {
    await access.pool.end();
    await db.drop();
  });

  /** A context whose events are collected and whose clock reads the given times in turn. */
  const context = (times: number[]) => {
    const events: EventBody[] = [];
    const ctx: UnitContext = {
      withPgClient: access.withPgClient,
      settings: settingsFrom({}),
      emit: (e) => events.push(e),
      attempt: 2,
      worker: 'test:1',
      now: () => times.shift() ?? Number.NaN,
    };
    return { ctx, events };
  };

  const recorded = async (track: string, unit: string) =>
    (
      await db.pool.query(
        'SELECT status, rows, ms, error, attempts, worker, details FROM bqx_monitor.unit_results WHERE track = $1 AND unit = $2',
        [track, unit],
      )
    ).rows;

  it('announces the start, then records and announces an empty end with what the body gives', async () => {
    const { ctx, events } = context([1000, 1250]);
    const details = { dropped: { null_timestamp: 3 } };
    const outcome = await runUnitShell(ctx, 'bollinger', 'eurusd/2024-08', async (scope) => {
      scope.emit({ type: 'stage', stage: 'load' });
      return emptyUnit({ details });
    });
    expect(outcome).toMatchObject({ status: 'empty', rows: 0, ms: 250, attempt: 2, details });
    expect(events).toEqual([
      { type: 'unit_start', unit: 'eurusd/2024-08', attempt: 2 },
      { type: 'stage', unit: 'eurusd/2024-08', stage: 'load' },
      { type: 'unit_empty', unit: 'eurusd/2024-08', reason: 'no source rows in this month' },
    ]);
    // The bound emit keeps `unit` second, as the protocol's lines always had it.
    expect(Object.keys(events[1]!)).toEqual(['type', 'unit', 'stage']);
    expect(await recorded('bollinger', 'eurusd/2024-08')).toEqual([
      { status: 'empty', rows: '0', ms: 250, error: null, attempts: 2, worker: 'test:1', details },
    ]);
  });

  it("records a body's error as a failed unit with its SQLSTATE, and announces it", async () => {
    const { ctx, events } = context([10, 40]);
    const outcome = await runUnitShell(ctx, 'regression', 'gbpusd/2024-07', async (scope) => {
      await readInSnapshot(scope.ctx, (c) => c.query('SELECT 1 / 0'));
      return emptyUnit();
    });
    expect(outcome).toMatchObject({ status: 'failed', ms: 30, error: '22012: division by zero' });
    expect(events.at(-1)).toEqual({
      type: 'unit_failed',
      unit: 'gbpusd/2024-07',
      code: '22012',
      message: 'division by zero',
      attempt: 2,
    });
    expect(await recorded('regression', 'gbpusd/2024-07')).toMatchObject([
      { status: 'failed', error: '22012: division by zero' },
    ]);
  });

  it('turns a lost connection into UnitInterrupted and records nothing', async () => {
    const { ctx, events } = context([0, 0]);
    const run = runUnitShell(ctx, 'extraction', 'usdjpy', (scope) =>
      readInSnapshot(scope.ctx, async (c) => {
        await c.query('SELECT pg_terminate_backend(pg_backend_pid())');
        return emptyUnit();
      }),
    );
    await expect(run).rejects.toBeInstanceOf(UnitInterrupted);
    expect(events.map((e) => e.type)).toEqual(['unit_start']);
    expect(await recorded('extraction', 'usdjpy')).toEqual([]);
  });

  it('reads in one snapshot: a row committed between two queries is not seen', async () => {
    await db.pool.query('CREATE TABLE public.snapshot_probe (x int)');
    await db.pool.query('INSERT INTO public.snapshot_probe VALUES (1)');
    const count = 'SELECT count(*)::int AS n FROM public.snapshot_probe';
    const seen = await readInSnapshot({ withPgClient: access.withPgClient }, async (c) => {
      const before = (await c.query(count)).rows[0].n as number;
      await db.pool.query('INSERT INTO public.snapshot_probe VALUES (2)');
      const after = (await c.query(count)).rows[0].n as number;
      const readOnly = (await c.query('SHOW transaction_read_only')).rows[0];
      return { before, after, readOnly: readOnly.transaction_read_only };
    });
    expect(seen).toEqual({ before: 1, after: 1, readOnly: 'on' });
    expect((await db.pool.query(count)).rows[0].n).toBe(2);
  });
});

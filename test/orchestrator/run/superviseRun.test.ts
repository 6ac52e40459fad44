import { existsSync, readFileSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { EXIT } from '../../../src/config/userError.js';
import type { Context } from '../../../src/db/context.js';
import { readRun } from '../../../src/orchestrator/live/runRecord.js';
import {
  type RunSession,
  type SuperviseOptions,
  superviseRun,
} from '../../../src/orchestrator/run/superviseRun.js';
import type { RunEvent } from '../../../src/orchestrator/state/events.js';
import type { TrackName } from '../../../src/tracks/protocol/events.js';
import { openTestContext } from '../../support/testContext.js';
import { createTestDatabase, type TestDatabase } from '../../support/testDatabase.js';

/*
 * `superviseRun` in this process, on a real database (a clone of the seeded template), with
 * the fixture worker as every track's worker: its preparation (preflight, plan) is the
 * real one; its workers misbehave as the test tells them.
 */

const FIXTURE = path.resolve(
  path.dirname(fileURLToPath(import.meta.url)),
  '../../fixtures/workers/fixtureWorker.mjs',
);

let db: TestDatabase;
let dir: string;
let ctx: Context;

beforeAll(async () => {
  db = await createTestDatabase();
  dir = await mkdtemp(path.join(os.tmpdir(), 'bqx-supervise-'));
  ctx = await openTestContext(db, dir, {
    run: { maxWorkers: 2, workers: { bollinger: 1, regression: 1, extraction: 1 } },
  });
});

afterAll(async () => {
  await ctx?.db.close();
  await db?.drop();
  if (dir) await rm(dir, { recursive: true, force: true });
});

/** Supervises a run whose workers are the fixture with `args`; every event is kept. */
async function supervise(args: (track: TrackName) => string[], o: Partial<SuperviseOptions> = {}) {
  const supervised = await superviseRun(ctx, {
    runId: `t-${Math.random().toString(36).slice(2, 10)}`,
    recompute: new Set(),
    command: (track) => ({ file: process.execPath, args: [FIXTURE, ...args(track)] }),
    graceMs: 5000,
    backoffMs: () => 50,
    sampleMs: 100,
    ...o,
  });
  if (supervised.kind !== 'supervising') throw new Error('another run holds the database');
  const events: RunEvent[] = [];
  supervised.session.subscribe((_s, ev) => events.push(ev));
  return { session: supervised.session, events };
}

async function recordOf(session: RunSession) {
  return ctx.db.withPgClient((c) => readRun(c, session.runId));
}

describe('superviseRun', () => {
  it('runs the tracks to their end: complete, exit 0, recorded, reported, logged', async () => {
    const { session, events } = await supervise((track) => ['ok', track]);
    const end = await session.done;
    expect(end).toMatchObject({ status: 'complete', exitCode: EXIT.ok, message: undefined });
    const types = new Set(events.map((e) => e.type));
    for (const t of ['preflight', 'run_planned', 'child_started', 'system_sample', 'run_report'])
      expect(types, t).toContain(t);
    expect(events.at(-1)).toMatchObject({ type: 'run_finished', status: 'complete' });
    expect(await recordOf(session)).toMatchObject({ status: 'complete', exitCode: EXIT.ok });
    // The NDJSON log holds the run's events, its end last.
    const lines = readFileSync(end.logFile, 'utf8').trim().split('\n');
    expect(JSON.parse(lines.at(-1)!)).toMatchObject({ type: 'run_finished', runId: session.runId });
  });

  it('restarts a crashed worker after the backoff it is given', async () => {
    const state = (track: TrackName) => path.join(dir, `crash-${track}`);
    const { session, events } = await supervise((track) => ['crash-once', track, state(track)]);
    const end = await session.done;
    expect(end.status).toBe('complete');
    const crashes = events.filter((e) => e.type === 'child_exited' && !e.expected);
    expect(crashes).toHaveLength(3);
    for (const track of ['bollinger', 'regression', 'extraction'] as const)
      expect(existsSync(state(track)), track).toBe(true);
  });

  it('stops during the run: running units finish, it ends interrupted (130)', async () => {
    const { session, events } = await supervise((track) => ['until-term', track]);
    await expect
      .poll(() => events.some((e) => e.type === 'worker_event' && e.event.type === 'unit_done'), {
        timeout: 60_000,
      })
      .toBe(true);
    // A second supervisor finds the run live and starts nothing.
    const other = await superviseRun(ctx, {
      runId: 'second',
      recompute: new Set(),
      command: () => ({ file: process.execPath, args: [FIXTURE, 'ok'] }),
    });
    expect(other.kind).toBe('taken');
    await session.stop('graceful');
    const end = await session.done;
    expect(end).toMatchObject({
      status: 'interrupted',
      exitCode: EXIT.interrupted,
      message: 'stopped; running units finished first',
    });
    const exits = events.filter((e) => e.type === 'child_exited');
    expect(exits.length).toBeGreaterThan(0);
    expect(exits.every((e) => e.type === 'child_exited' && e.expected)).toBe(true);
    expect(await recordOf(session)).toMatchObject({ status: 'interrupted', exitCode: 130 });
  });

  it('stopped before any unit ran: it ends at once with the stop exit code', async () => {
    const { session, events } = await supervise((track) => ['ok', track]);
    await session.stop('now', EXIT.terminated);
    const end = await session.done;
    expect(end).toMatchObject({
      status: 'interrupted',
      exitCode: EXIT.terminated,
      message: 'stopped before any unit ran',
    });
    expect(events.some((e) => e.type === 'child_started')).toBe(false);
  });
});

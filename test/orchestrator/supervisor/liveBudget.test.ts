import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import pg from 'pg';
import { afterAll, describe, expect, it } from 'vitest';
import type { WithPgClient } from '../../../src/db/connection/pool.js';
import { RunFollower } from '../../../src/orchestrator/live/followRun.js';
import type { RunReport } from '../../../src/orchestrator/report/reportTypes.js';
import { throughput } from '../../../src/orchestrator/state/eta.js';
import type { RunEvent } from '../../../src/orchestrator/state/events.js';
import {
  hostSummaries,
  type RunState,
  trackThroughput,
} from '../../../src/orchestrator/state/runState.js';
import { runCli } from '../../support/cli.js';
import { writeConfig } from '../../support/config.js';
import { createTestDatabase } from '../../support/testDatabase.js';

/*
 * The budget and the unit clock on a real run with the defaults (run.maxWorkers = the
 * cores): a real background supervisor, its workers, a real database. Units are held at
 * their write by locks the test takes on their output tables (and lets go).
 */

const cleanups: Array<() => Promise<unknown>> = [];
afterAll(async () => {
  for (const c of cleanups.reverse()) await c().catch(() => {});
});

type Ack = Extract<RunEvent, { type: 'command' }>;

/** A run in the background on a fresh database, `hold` done before it starts, and a view. */
async function startRun(hold: (session: pg.Client) => Promise<void>) {
  const db = await createTestDatabase();
  cleanups.push(() => db.drop());
  const dir = await mkdtemp(path.join(os.tmpdir(), 'bqx-budget-'));
  cleanups.push(() => rm(dir, { recursive: true, force: true }));
  const config = await writeConfig(JSON.stringify({ run: { maxAttempts: 1 } }));
  const env = { DATABASE_URL: db.url };
  const globals = ['--data-dir', `${dir}/data`, '--out', `${dir}/out`, '--config', config];
  const cli = (...args: string[]) => runCli([...globals, ...args], { env, timeout: 120_000 });
  expect((await cli('init-db')).exitCode).toBe(0);
  const session = new pg.Client({ connectionString: db.url });
  await session.connect();
  cleanups.push(() => session.end());
  await session.query('BEGIN');
  await hold(session);
  const release = () => session.query('COMMIT');
  const d = await cli('run', '--detach');
  expect(d.exitCode, d.stderr).toBe(0);
  const runId = d.stdout.match(/run (\S+) in the background/)![1]!;
  cleanups.push(() => cli('stop', '--now'));
  const pool = new pg.Pool({ connectionString: db.url, max: 4 });
  cleanups.push(() => pool.end());
  const withPgClient: WithPgClient = async (fn) => {
    const c = await pool.connect();
    try {
      return await fn(c);
    } finally {
      c.release();
    }
  };
  const follower = await RunFollower.open({ pool, withPgClient }, runId, { issuedBy: 'test' });
  cleanups.push(async () => follower.close());
  const events: RunEvent[] = [];
  follower.subscribe((_s, ev) => events.push(ev));
  const until = async (check: (s: RunState) => boolean, what: string) =>
    expect.poll(() => check(follower.getState()), { timeout: 180_000, message: what }).toBe(true);
  /** Sends a command as any view does and returns the run's acknowledgement. */
  const command = async (send: () => unknown, what: string): Promise<Ack> => {
    const at = events.length;
    await send();
    let ack: Ack | undefined;
    await expect
      .poll(
        () => {
          ack = events.slice(at).find((e): e is Ack => e.type === 'command');
          return ack !== undefined;
        },
        { timeout: 60_000, message: `the ack of ${what}` },
      )
      .toBe(true);
    return ack!;
  };
  return { runId, cli, follower, events, until, command, release };
}

/** Locks the output tables whose names start with `prefix`: units of theirs wait at their write. */
async function lockTables(s: pg.Client, prefix: string): Promise<void> {
  const r = await s.query(
    "SELECT tablename FROM pg_tables WHERE schemaname = 'bqx' AND tablename LIKE $1 || '%'",
    [prefix],
  );
  expect(r.rows.length).toBeGreaterThan(0);
  for (const { tablename } of r.rows)
    await s.query(`LOCK TABLE bqx."${tablename}" IN ACCESS EXCLUSIVE MODE`);
}

describe('the budget and paused time on a real run with the defaults', { timeout: 600_000 }, () => {
  it('+ gives a running track one more worker past the budget at once; - gives it back', async () => {
    const run = await startRun(async (s) => {
      await lockTables(s, 'reg_rate_');
      await lockTables(s, 'bollinger_bqx_');
    });
    const status = async () => JSON.parse((await run.cli('status', '--json')).stdout);
    const regression = async () =>
      (await status()).workers.filter((w: { track: string }) => w.track === 'regression').length;
    await run.until(
      (s) => s.tracks.regression.running.some((r) => r.activity?.stage === 'write'),
      'a Track 2 unit held at its write',
    );
    const budget = run.follower.getState().budget!.budget;
    expect(budget).toBe(os.availableParallelism());
    const before = await regression();
    expect(before).toBeGreaterThan(0);
    const add = await run.command(() => run.follower.send('add_worker', 'regression'), '+');
    expect(add.result).toBe(
      `${before + 1} worker(s) now; ${budget + 1} busy at most this run (raised by "+")`,
    );
    // The raised budget reaches every view: the view's state, and status (text and JSON).
    expect(run.follower.getState().budget!.budget).toBe(budget + 1);
    await expect.poll(regression, { timeout: 60_000 }).toBe(before + 1);
    await expect
      .poll(async () => (await status()).run.budget, { timeout: 60_000 })
      .toBe(budget + 1);
    expect((await run.cli('status')).stdout).toContain(`${budget + 1} busy at most`);

    const remove = await run.command(() => run.follower.send('remove_worker', 'regression'), '-');
    expect(remove.result).toMatch(new RegExp(`^${before} worker\\(s\\) now: worker \\d+ stops `));
    expect(run.follower.getState().budget!.budget).toBe(budget);
    await expect.poll(async () => (await status()).run.budget, { timeout: 60_000 }).toBe(budget);
    const pid = Number(remove.result.match(/worker (\d+) stops/)![1]);
    await run.release();
    await run.until(
      () => run.events.some((e) => e.type === 'child_exited' && e.pid === pid && e.expected),
      'the removed worker left as asked',
    );
    expect((await run.follower.done).status).toBe('complete');
  });

  it('a unit paused for a while reports its working time, not its wall time, in report and rates', async () => {
    const run = await startRun((s) => lockTables(s, 'reg_rate_eurusd'));
    await run.until(
      (s) => s.tracks.regression.running.some((r) => r.activity?.stage === 'write'),
      'a Track 2 unit held at its write',
    );
    const held = run.follower.getState().tracks.regression.running[0]!;
    // Every track paused (P): the host's workers are all stopped meanwhile.
    expect((await run.command(() => run.follower.send('pause', null), 'P')).result).toMatch(
      /paused/,
    );
    const stateAt = (status: 'paused' | 'running') =>
      run.events.find(
        (e) => e.type === 'track_state' && e.track === 'regression' && e.status === status,
      )?.at;
    await run.until(() => stateAt('paused') !== undefined, 'Track 2 paused');
    const pausedAt = stateAt('paused')!;
    // Paused for a span the run's own events measure (its samples go on while paused).
    await run.until(() => run.events.some((e) => e.at >= pausedAt + 6000), 'six seconds paused');
    const resumedIndex = run.events.length;
    expect((await run.command(() => run.follower.send('resume', null), 'P')).result).toMatch(
      /resumed/,
    );
    await run.until(
      () =>
        run.events
          .slice(resumedIndex)
          .some((e) => e.type === 'track_state' && e.track === 'regression'),
      'Track 2 resumed',
    );
    const resumedAt = run.events
      .slice(resumedIndex)
      .find((e) => e.type === 'track_state' && e.track === 'regression')!.at;
    const pausedMs = resumedAt - pausedAt;
    expect(pausedMs).toBeGreaterThanOrEqual(6000);
    await run.release();
    const end = await run.follower.done;
    expect(end.status).toBe('complete');

    const done = run.events.find(
      (e) =>
        e.type === 'worker_event' && e.event.type === 'unit_done' && e.event.unit === held.unit,
    ) as Extract<RunEvent, { type: 'worker_event' }>;
    const worked = (done.event as { ms: number }).ms;
    const wall = done.at - held.startedAt;
    expect(worked).toBeLessThanOrEqual(wall - pausedMs + 1000);
    // The report reads the corrected time.
    const report = JSON.parse((await run.cli('report', run.runId, '--json')).stdout) as RunReport;
    const slow = report.tracks
      .find((t) => t.track === 'regression')!
      .slowest.find((u) => u.unit === held.unit)!;
    expect(slow.ms).toBe(worked);
    // Rates leave the time every track was paused out: above the same finishes over wall time.
    const s = end.state;
    const [home] = hostSummaries(s);
    const tally = s.hosts[home!.host]!;
    const naive = throughput(tally.finishes, tally.since, s.now)!.unitsPerSec;
    expect(home!.unitsPerSec!).toBeGreaterThan(naive);
    const t = s.tracks.regression;
    const trackNaive = throughput(t.finishes, t.startedAt, t.finishes.at(-1)!.at)!.unitsPerSec;
    expect(trackThroughput(t, s.now)!.unitsPerSec).toBeGreaterThan(trackNaive);
  });
});

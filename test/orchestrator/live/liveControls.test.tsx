import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { stripVTControlCharacters as strip } from 'node:util';
import { render } from 'ink-testing-library';
import pg from 'pg';
import { afterAll, describe, expect, it, vi } from 'vitest';
import { controlsOf } from '../../../src/cli/live/attach.js';
import type { WithPgClient } from '../../../src/db/connection/pool.js';
import { RunFollower } from '../../../src/orchestrator/live/followRun.js';
import type { RunEvent } from '../../../src/orchestrator/state/events.js';
import type { RunState } from '../../../src/orchestrator/state/runState.js';
import { describeNote } from '../../../src/orchestrator/text/describe.js';
import type { TrackName } from '../../../src/tracks/protocol/events.js';
import { Dashboard } from '../../../src/ui/Dashboard.js';
import { ThemeContext, themeFor } from '../../../src/ui/theme.js';
import { runCli } from '../../support/cli.js';
import { writeConfig } from '../../support/config.js';
import { createTestDatabase, type TestDatabase } from '../../support/testDatabase.js';

/*
 * `+`, `-` and `R` as any attached view sends them: commands of the real control channel
 * (the first ones pressed in a dashboard on the view), carried out by a real background
 * supervisor and its real workers on a real database.
 * A unit is held at its write by a lock the test takes on its output table (and lets go),
 * so that there is work for one more worker, and a unit to finish after a `-`.
 */

const cleanups: Array<() => Promise<unknown>> = [];
afterAll(async () => {
  for (const c of cleanups.reverse()) await c().catch(() => {});
});

interface LiveRun {
  readonly db: TestDatabase;
  readonly follower: RunFollower;
  /** Every event the view received after it attached. */
  readonly events: RunEvent[];
  readonly cli: (...args: string[]) => ReturnType<typeof runCli>;
  /** A session of the test's own (for locks and DDL), closed at the end. */
  readonly session: pg.Client;
}

/** A database ready for a run, with `prepare` done on it before the run starts. */
async function startRun(prepare: (session: pg.Client) => Promise<void>): Promise<LiveRun> {
  const db = await createTestDatabase();
  cleanups.push(() => db.drop());
  const dir = await mkdtemp(path.join(os.tmpdir(), 'bqx-controls-'));
  cleanups.push(() => rm(dir, { recursive: true, force: true }));
  const config = await writeConfig(
    JSON.stringify({
      run: {
        maxWorkers: 4,
        maxAttempts: 1,
        workers: { bollinger: 1, regression: 1, extraction: 1 },
      },
    }),
  );
  const env = { DATABASE_URL: db.url };
  const globals = ['--data-dir', `${dir}/data`, '--out', `${dir}/out`, '--config', config];
  const cli = (...args: string[]) => runCli([...globals, ...args], { env, timeout: 120_000 });
  expect((await cli('init-db')).exitCode).toBe(0);
  const session = new pg.Client({ connectionString: db.url });
  await session.connect();
  cleanups.push(() => session.end());
  await prepare(session);
  const d = await cli('run', '--detach');
  expect(d.exitCode, d.stderr).toBe(0);
  const runId = d.stdout.match(/run (\S+) in the background/)?.[1];
  expect(runId).toBeDefined();
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
  const follower = await RunFollower.open({ pool, withPgClient }, runId!, { issuedBy: 'test' });
  cleanups.push(async () => follower.close());
  const events: RunEvent[] = [];
  follower.subscribe((_s, ev) => events.push(ev));
  return { db, follower, events, cli, session };
}

/** Waits until the view's state satisfies `check` (events arrive as the run goes). */
async function until(run: LiveRun, check: (s: RunState) => boolean, what: string, ms = 120_000) {
  await expect
    .poll(() => check(run.follower.getState()), { timeout: ms, message: what })
    .toBe(true);
}

/** Does what sends a command (a key, or the view's `send`) and returns the run's ack. */
async function command(run: LiveRun, send: () => unknown, what: string) {
  const at = run.events.length;
  await send();
  let ack: Extract<RunEvent, { type: 'command' }> | undefined;
  await expect
    .poll(
      () => {
        ack = run.events
          .slice(at)
          .find((e): e is Extract<RunEvent, { type: 'command' }> => e.type === 'command');
        return ack !== undefined;
      },
      { timeout: 60_000, message: `the ack of ${what}` },
    )
    .toBe(true);
  return { result: ack!.result, index: run.events.indexOf(ack!) };
}

const send =
  (run: LiveRun, action: 'add_worker' | 'remove_worker' | 'retry', track: TrackName) => () =>
    run.follower.send(action, track);

/** The live dashboard on the view, in ink-testing-library: its keys use the control channel. */
function dashboardOf(run: LiveRun) {
  const r = render(
    <ThemeContext.Provider value={themeFor({ LANG: 'C.UTF-8' })}>
      <Dashboard
        feed={run.follower}
        controls={controlsOf(run.follower)}
        database="test"
        intervalMs={50}
        size={{ columns: 120, rows: 40 }}
      />
    </ThemeContext.Provider>,
  );
  cleanups.push(async () => r.unmount());
  const frame = () => strip(r.lastFrame() ?? '');
  const press = async (key: string, then: (frame: string) => void) => {
    r.stdin.write(key);
    await vi.waitFor(() => then(frame()), { timeout: 30_000, interval: 50 });
  };
  return { frame, press, write: (key: string) => r.stdin.write(key) };
}

/** Live Track 2 workers, as `status --json` reports them. */
async function regressionWorkers(run: LiveRun): Promise<number> {
  const st = await run.cli('status', '--json');
  const workers = JSON.parse(st.stdout).workers as Array<{ track: string }>;
  return workers.filter((w) => w.track === 'regression').length;
}

describe('more or fewer workers, and failed units retried, from any view', {
  timeout: 300_000,
}, () => {
  it('+ gives Track 2 one more worker at once; - stops one after its unit', async () => {
    let release!: () => Promise<unknown>;
    const run = await startRun(async (s) => {
      // EURUSD's Track 2 units stop at their write until the test lets go.
      await s.query('BEGIN');
      await s.query('LOCK TABLE bqx.reg_rate_eurusd IN ACCESS EXCLUSIVE MODE');
      release = () => s.query('COMMIT');
    });
    await until(
      run,
      (s) => s.tracks.regression.running.some((r) => r.activity?.stage === 'write'),
      'a Track 2 unit held at its write',
    );
    // What the view's state holds for its logs: the running unit's stages, from its worker.
    const [first] = run.follower.getState().tracks.regression.workers;
    const stages = run.follower
      .getState()
      .output.filter((l) => l.track === 'regression' && l.note.kind === 'stage')
      .map((l) => [l.pid, describeNote(l.note)]);
    expect(stages).toContainEqual([first, expect.stringMatching(/^EURUSD 2024-07: computing /)]);
    expect(stages).toContainEqual([first, expect.stringMatching(/^EURUSD 2024-07: writing /)]);
    // And what the dashboard's Track 2 log shows while the unit runs.
    const ui = dashboardOf(run);
    await vi.waitFor(() => expect(ui.frame()).toContain('Track 2'), { timeout: 30_000 });
    await ui.press('j', (f) => expect(f).toMatch(/▶ Track 2/));
    await ui.press('l', (f) => expect(f).toContain('Track 2 Regression log, all workers'));
    expect(ui.frame()).toMatch(/EURUSD 2024-07: computing /);
    expect(ui.frame()).toMatch(/EURUSD 2024-07: writing /);
    await ui.press('\t', (f) => expect(f).toContain(`log, worker ${first} —`));
    expect(ui.frame()).toMatch(/EURUSD 2024-07: writing /);
    await ui.press('\u001b', (f) => expect(f).not.toContain('Regression log'));
    expect(await regressionWorkers(run)).toBe(1);

    // + pressed in the dashboard: Track 2 is still selected.
    const add = await command(run, () => ui.write('+'), '+');
    expect(add.result).toBe('2 worker(s) now');
    expect(run.follower.getState().tracks.regression.plannedWorkers).toBe(2);
    await expect.poll(() => regressionWorkers(run), { timeout: 60_000 }).toBe(2);
    // The new worker works: it takes the next units (month-major: GBPUSD and USDJPY 2024-07
    // pass) until it is held at EURUSD 2024-08's write too.
    await until(
      run,
      (s) =>
        s.tracks.regression.running.filter(
          (r) => r.unit.startsWith('eurusd/') && r.activity?.stage === 'write',
        ).length === 2,
      'two Track 2 units held at their write',
    );

    const remove = await command(run, () => ui.write('-'), '-');
    expect(remove.result).toMatch(/^1 worker\(s\) now: worker \d+ stops after its current unit$/);
    const pid = Number(remove.result.match(/worker (\d+) stops/)![1]);
    expect(run.follower.getState().tracks.regression.plannedWorkers).toBe(1);
    // At its bound: refused, and why.
    const again = await command(run, send(run, 'remove_worker', 'regression'), 'remove_worker');
    expect(again.result).toMatch(/^refused: 1 worker\(s\), its least/);
    // Nothing stops before its unit is done: both are still there while held.
    expect(await regressionWorkers(run)).toBe(2);

    await release();
    const end = await run.follower.done;
    expect(end.status).toBe('complete');
    const after = run.events.slice(remove.index);
    const its = after.filter(
      (e): e is Extract<RunEvent, { type: 'worker_event' }> =>
        e.type === 'worker_event' && e.pid === pid,
    );
    // It finished the unit it had, started none, and left as asked.
    expect(its.map((e) => e.event.type)).toContain('unit_done');
    expect(its.map((e) => e.event.type)).not.toContain('unit_start');
    expect(after.find((e) => e.type === 'child_exited' && e.pid === pid)).toMatchObject({
      expected: true,
      code: 0,
    });
    expect(end.state.tracks.regression).toMatchObject({ total: 4, done: 4, failed: 0 });
  });

  it('R gives the failed units of Track 2 back to the queue; they run again and the track completes', async () => {
    let release!: () => Promise<unknown>;
    const run = await startRun(async (s) => {
      // EURUSD's Track 2 units fail at their write (maxAttempts 1: for good).
      await s.query('ALTER TABLE bqx.reg_rate_eurusd ADD CONSTRAINT reject_all CHECK (false)');
      // The run stays live meanwhile: a Track 1 unit is held at its write.
      await s.query('BEGIN');
      await s.query('LOCK TABLE bqx.bollinger_bqx_usdjpy IN ACCESS EXCLUSIVE MODE');
      release = () => s.query('COMMIT');
    });
    await until(run, (s) => s.tracks.regression.status === 'failed', 'Track 2 failed');
    const failed = run.follower.getState().tracks.regression;
    expect(failed).toMatchObject({ failed: 2, done: 2 });
    expect([...failed.failedUnits].sort()).toEqual(['eurusd/2024-07', 'eurusd/2024-08']);
    // Nothing to retry elsewhere: refused, and why.
    const none = await command(run, send(run, 'retry', 'extraction'), 'retry');
    expect(none.result).toMatch(/^refused: none of its units failed/);

    // The cause fixed, as a user would, then R.
    const fix = new pg.Client({ connectionString: run.db.url });
    await fix.connect();
    await fix.query('ALTER TABLE bqx.reg_rate_eurusd DROP CONSTRAINT reject_all');
    await fix.end();
    // R pressed in a dashboard on the view, Track 2 selected.
    const ui = dashboardOf(run);
    await vi.waitFor(() => expect(ui.frame()).toContain('Track 2'), { timeout: 30_000 });
    await ui.press('j', (f) => expect(f).toMatch(/▶ Track 2/));
    const retry = await command(run, () => ui.write('R'), 'R');
    expect(retry.result).toBe('2 failed unit(s) back in the queue with fresh attempts');
    const back = run.follower.getState().tracks.regression;
    expect(back.failed).toBe(0);
    expect(back.thisRun.failed).toBe(0);
    await until(
      run,
      (s) => s.tracks.regression.status !== 'failed',
      'Track 2 out of FAILED',
      30_000,
    );
    await until(run, (s) => s.tracks.regression.status === 'complete', 'Track 2 complete');
    const again = run.events
      .slice(retry.index)
      .flatMap((e) =>
        e.type === 'worker_event' && e.track === 'regression' && e.event.type === 'unit_start'
          ? [e.event.unit]
          : [],
      );
    expect(again.sort()).toEqual(['eurusd/2024-07', 'eurusd/2024-08']);
    expect(run.follower.getState().tracks.regression).toMatchObject({ done: 4, failed: 0 });

    await release();
    const end = await run.follower.done;
    expect(end.status).toBe('complete');
    expect(end.exitCode).toBe(0);
    const ledger = await run.db.pool.query(
      "SELECT unit, status FROM bqx_monitor.unit_results WHERE track = 'regression' ORDER BY unit",
    );
    expect(ledger.rows.every((r) => r.status === 'done')).toBe(true);
    expect(ledger.rows).toHaveLength(4);
  });
});

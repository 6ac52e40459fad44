import { readFileSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { CLI, runCli } from '../support/cli.js';
import { writeConfig } from '../support/config.js';
import { processesMatching } from '../support/processes.js';
import { createTestDatabase, type TestDatabase } from '../support/testDatabase.js';
import { type TmuxSession, tmuxSession } from '../support/tmux.js';

/** `done/total` of a track's line, e.g. Track 2 → [1, 4]. */
function counts(s: string, title: string): [number, number] | undefined {
  const line = s.split('\n').find((l) => l.includes(title));
  const m = line?.match(/(\d+)\/(\d+) (units|pairs)/);
  return m ? [Number(m[1]), Number(m[2])] : undefined;
}

/** Linux process state letter: R/S running or sleeping, T stopped. */
function procState(pid: number): string {
  return readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]!.slice(0, 1);
}

const pids = processesMatching;

/** What the shell shows before the dashboard starts. */
const BEFORE = ['shell line before the dashboard 1', 'shell line before the dashboard 2'];

/**
 * The terminal as the shell left it, with `summary` printed after: the lines from before,
 * then the summary, then the exit code, and no trace of a dashboard frame.
 */
function expectShellRestored(screen: string, summary: RegExp) {
  const lines = screen.split('\n');
  const at = (test: (l: string) => boolean) => lines.findIndex(test);
  const before = BEFORE.map((b) => at((l) => l === b));
  const said = at((l) => summary.test(l));
  const exit = at((l) => l.startsWith('EXIT='));
  expect(
    before.every((i) => i >= 0),
    screen,
  ).toBe(true);
  expect(said, screen).toBeGreaterThan(Math.max(...before));
  expect(exit, screen).toBeGreaterThan(said);
  for (const frame of ['Track 1 Bollinger', 'Overall', '[RUNNING]', 'System  ', '? help'])
    expect(screen, screen).not.toContain(frame);
}

const sessions: TmuxSession[] = [];
const cleanups: Array<() => Promise<unknown>> = [];
afterAll(async () => {
  for (const s of sessions) await s.kill();
  for (const c of cleanups.reverse()) await c().catch(() => {});
});

async function setup() {
  const db = await createTestDatabase();
  const dir = await mkdtemp(path.join(os.tmpdir(), 'bqx-tmux-'));
  cleanups.push(
    () => db.drop(),
    () => rm(dir, { recursive: true, force: true }),
  );
  const config = await writeConfig(
    JSON.stringify({ run: { workers: { bollinger: 1, regression: 1, extraction: 1 } } }),
  );
  const args = `--data-dir ${dir}/data --out ${dir}/out --config ${config}`;
  // CI=true: a user's environment may say CI; the terminal still gets the live screen.
  // The shell prints two lines first: the dashboard must give them back when it leaves.
  const command = (sub = '') =>
    `printf '${BEFORE.join('\\n')}\\n'; env DATABASE_URL='${db.url}' LANG=C.UTF-8 TERM=xterm-256color CI=true node ${CLI} ${args} ${sub}; echo EXIT=$?; sleep 120`;
  return { db, dir, args, command, out: `${dir}/out` };
}

async function open(command: string): Promise<TmuxSession> {
  const s = await tmuxSession(command);
  sessions.push(s);
  return s;
}

/** Presses `j` until the selection is on `title` (keys sent before the dashboard reads them are lost). */
async function select(s: TmuxSession, title: string) {
  await expect
    .poll(
      async () => {
        const on = (await s.screen()).includes(`▶ ${title}`);
        if (!on) await s.keys('j');
        return on;
      },
      { timeout: 30_000, interval: 700 },
    )
    .toBe(true);
}

const finished = async (db: TestDatabase) =>
  (
    await db.pool.query(
      "SELECT count(*)::int AS n FROM bqx_monitor.unit_results WHERE status IN ('done', 'empty')",
    )
  ).rows[0].n as number;

describe('the dashboard in a real terminal (tmux)', { timeout: 360_000 }, () => {
  it('shows progress, pauses and resumes a track with p, finishes, and quits cleanly with q', async () => {
    const t = await setup();
    const s = await open(t.command('run'));
    await s.waitFor((x) => x.includes('[RUNNING]'), 'the dashboard');
    await select(s, 'Track 2');
    await s.keys('p');
    const paused = await s.waitFor(
      (x) => /Track 2 Regression \[PAUSED\]/.test(x),
      'Track 2 paused',
      20_000,
    );
    expect(counts(paused, 'Track 2 Regression')).toBeDefined();
    // Paused means its worker is stopped by the kernel, not merely shown so.
    const [worker] = await pids(`--out ${t.out} worker --track regression`);
    expect(worker).toBeDefined();
    await expect.poll(() => procState(worker!), { timeout: 10_000 }).toBe('T');
    await s.keys('p');
    await s.waitFor((x) => !/\[PAUSED\]/.test(x), 'Track 2 resumed', 20_000);
    expect(procState(worker!)).not.toBe('T');
    // (A capture can land mid-redraw: wait for a whole final frame.)
    const done = await s.waitFor(
      (x) => x.includes('Run complete') && /Overall .* 100\.0% +12\/12 units/.test(x),
      'the run to complete',
      240_000,
    );
    expect(counts(done, 'Track 1 Bollinger')).toEqual([6, 6]);
    expect(counts(done, 'Track 2 Regression')).toEqual([4, 4]);
    expect(counts(done, 'Track 3 Extraction')).toEqual([2, 2]);
    // The post-run report takes the events' place; the line left after q says how to see it all.
    const runId = done.match(/run (\d{8}-\d{6}-[0-9a-f]{4})/)?.[1];
    expect(done).toContain(`Report (bqx-monitor report ${runId}): complete`);
    await s.keys('q');
    const end = await s.waitFor((x) => x.includes('EXIT='), 'the program to exit', 30_000);
    expect(end).toContain('EXIT=0');
    // The dashboard drew on the alternate screen: the shell's lines are back, then the summary.
    expectShellRestored(end, /^run \S+ complete/);
    expect(end).toContain(`report: bqx-monitor report ${runId}`);
    expect(await s.cursorVisible()).toBe(true);
    expect(await pids(`--out ${t.out} worker`)).toEqual([]);
    // The supervisor leaves right after the end it published.
    await expect.poll(() => pids(`--out ${t.out} supervise`), { timeout: 30_000 }).toEqual([]);
  });

  it('at 80×24: r asks whole; q then s stops the run and leaves with 130 once it has stopped, leaving no process', async () => {
    const t = await setup();
    const s = await tmuxSession(t.command('run'), { columns: 80, rows: 24 });
    sessions.push(s);
    await s.waitFor((x) => x.includes('[RUNNING]'), 'the dashboard');
    // r's question, whole on the last row of a 24-row terminal; n answers no.
    await s.keys('r');
    const asked = await s.waitFor((x) => x.includes('(y/n)'), 'the restart question', 20_000);
    expect(asked).toMatch(/^Restart bollinger\? .*\(y\/n\)\s*$/m);
    await s.keys('n');
    await s.waitFor((x) => !x.includes('(y/n)'), 'the question to close', 20_000);
    await s.keys('q');
    await s.waitFor((x) => x.includes('s stop the run'), 'the leave prompt');
    await s.keys('s');
    await s.waitFor((x) => x.includes('Stopping the run'), 'the stopping line', 20_000);
    // A key typed while it stops is the view's: dropped, never left on the shell's line.
    await s.keys('P');
    // The running units finish (each takes seconds), then the view leaves by itself.
    const end = await s.waitFor((x) => x.includes('EXIT='), 'the view to leave', 120_000);
    expect(end).toContain('EXIT=130');
    expectShellRestored(end, /^run \S+ interrupted/);
    const last = end.split('\n').find((l) => l.startsWith('EXIT='))!;
    expect(last.trim()).toBe('EXIT=130');
    expect(end.split('\n').filter((l) => l.trim() === 'P')).toEqual([]);
    expect(await pids(`--out ${t.out} worker`)).toEqual([]);
    await expect.poll(() => pids(`--out ${t.out} supervise`), { timeout: 30_000 }).toEqual([]);
  });

  it('survives its terminal closing; a second terminal attaches to the same run and controls it', async () => {
    const t = await setup();
    const first = await open(t.command('run'));
    const screen = await first.waitFor((x) => x.includes('[RUNNING]'), 'the dashboard');
    const runId = screen.match(/run (\d{8}-\d{6}-[0-9a-f]{4})/)?.[1];
    expect(runId).toBeDefined();
    // Track 2 paused from the first terminal, so that work is left for the second one.
    await select(first, 'Track 2');
    await first.keys('p');
    await first.waitFor((x) => /Track 2 Regression \[PAUSED\]/.test(x), 'Track 2 paused', 20_000);
    const before = await finished(t.db);
    await first.kill();
    // The run goes on without a terminal: units keep completing.
    await expect.poll(() => finished(t.db), { timeout: 120_000 }).toBeGreaterThan(before);
    const second = await open(t.command());
    const attached = await second.waitFor(
      (x) => x.includes('Track 2 Regression'),
      'the second view',
    );
    expect(attached).toContain(`run ${runId}`);
    expect(attached).toMatch(/Track 2 Regression \[PAUSED\]/);
    // P from here pauses what still runs: no unit finishes while everything is paused.
    await second.keys('P');
    await second.waitFor(
      (x) => !/\[RUNNING\]/.test(x) && /\[PAUSED\]/.test(x),
      'every track paused or finished',
      20_000,
    );
    const atPause = await finished(t.db);
    await new Promise((r) => setTimeout(r, 10_000));
    expect(await finished(t.db)).toBe(atPause);
    // Detaching (while all is paused: the run cannot end meanwhile) gives the shell its
    // screen back, the summary under it.
    await second.keys('q');
    await second.waitFor((x) => x.includes('detach (the run goes on)'), 'the leave prompt');
    await second.keys('d');
    const left = await second.waitFor((x) => x.includes('EXIT='), 'the view to detach', 30_000);
    expect(left).toContain('EXIT=0');
    expectShellRestored(left, /^detached; run \S+ goes on/);
    // A third view resumes the run and sees it to its end.
    const third = await open(t.command());
    await third.waitFor((x) => /Track 2 Regression \[PAUSED\]/.test(x), 'the third view');
    await third.keys('P');
    await third.waitFor((x) => !/\[PAUSED\]/.test(x), 'resumed', 20_000);
    await third.waitFor(
      (x) => x.includes('Run complete') && /Overall .* 100\.0% +12\/12 units/.test(x),
      'the run to complete',
      240_000,
    );
    await third.keys('q');
    const end = await third.waitFor((x) => x.includes('EXIT='), 'the view to exit', 30_000);
    expect(end).toContain('EXIT=0');
    const v = await runCli(`${t.args} verify`.split(' '), { env: { DATABASE_URL: t.db.url } });
    expect(v.exitCode, v.stdout).toBe(0);
    expect(await pids(`--out ${t.out} worker`)).toEqual([]);
    await expect.poll(() => pids(`--out ${t.out} supervise`), { timeout: 30_000 }).toEqual([]);
  });
});

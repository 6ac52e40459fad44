import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { execa, type ResultPromise } from 'execa';
import pg from 'pg';
import { afterAll, describe, expect, it } from 'vitest';
import { CLI, runCli } from '../support/cli.js';
import { writeConfig } from '../support/config.js';
import { createTestDatabase } from '../support/testDatabase.js';

/*
 * `status --watch` as a user runs it beside a live run: a real background supervisor and
 * its workers, the watch a real child process. Track 2's EURUSD units stop at their write
 * (a lock the test holds on their output table) until the test lets go, so the run is live
 * for as long as the test needs.
 */

const cleanups: Array<() => Promise<unknown>> = [];
afterAll(async () => {
  for (const c of cleanups.reverse()) await c().catch(() => {});
});

async function liveRun() {
  const db = await createTestDatabase();
  cleanups.push(() => db.drop());
  const dir = await mkdtemp(path.join(os.tmpdir(), 'bqx-watch-'));
  cleanups.push(() => rm(dir, { recursive: true, force: true }));
  const config = await writeConfig(
    JSON.stringify({ run: { workers: { bollinger: 1, regression: 1, extraction: 1 } } }),
  );
  const env = { DATABASE_URL: db.url };
  const globals = ['--data-dir', `${dir}/data`, '--out', `${dir}/out`, '--config', config];
  const cli = (...args: string[]) => runCli([...globals, ...args], { env });
  expect((await cli('init-db')).exitCode).toBe(0);
  const session = new pg.Client({ connectionString: db.url });
  await session.connect();
  cleanups.push(() => session.end());
  await session.query('BEGIN');
  await session.query('LOCK TABLE bqx.reg_rate_eurusd IN ACCESS EXCLUSIVE MODE');
  const d = await cli('run', '--detach');
  expect(d.exitCode, d.stderr).toBe(0);
  cleanups.push(() => cli('stop', '--now'));
  /** A `status --watch` child, and what it printed so far. */
  const watch = () => {
    const child = execa('node', [CLI, ...globals, 'status', '--watch'], {
      reject: false,
      timeout: 240_000,
      env: { ...env, NO_COLOR: '1' },
    });
    const out: string[] = [];
    child.stdout?.on('data', (b: Buffer) => out.push(String(b)));
    return { child, out };
  };
  return { cli, watch, release: () => session.query('COMMIT') };
}

/** Waits until the watch has printed the run's lines: it follows the run. */
async function following(w: { out: string[] }) {
  await expect
    .poll(() => w.out.join(''), { timeout: 60_000, message: 'the watch to print the run' })
    .toMatch(/\d\d:\d\d:\d\d /);
}

/** Sends `signal` and returns the child's end and how long it took. */
async function signalled(child: ResultPromise, signal: NodeJS.Signals) {
  const at = Date.now();
  child.kill(signal);
  const r = await child;
  return { r, ms: Date.now() - at };
}

describe('status --watch', { timeout: 300_000 }, () => {
  it('ends at once on SIGTERM and SIGINT, and by itself with the run’s code when it ends', async () => {
    const run = await liveRun();
    for (const [signal, code] of [
      ['SIGTERM', 143],
      ['SIGINT', 130],
    ] as const) {
      const w = run.watch();
      await following(w);
      const { r, ms } = await signalled(w.child, signal);
      expect(r.exitCode, `${signal}: ${r.stderr}`).toBe(code);
      expect(r.stderr).not.toMatch(/unreachable|Cannot use a pool/);
      // At once: well under the run's own time (a unit is held), even on a loaded machine.
      expect(ms).toBeLessThan(15_000);
    }
    // A third watch follows the run to its end and leaves with its code.
    const w = run.watch();
    await following(w);
    await run.release();
    const r = await w.child;
    expect(r.exitCode, r.stderr).toBe(0);
    expect(r.stdout).toMatch(/complete/i);
    const st = await run.cli('status', '--json');
    expect(JSON.parse(st.stdout).run.status).toBe('complete');
  });
});

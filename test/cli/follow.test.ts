import { chmod, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { execa } from 'execa';
import type pg from 'pg';
import { afterAll, describe, expect, it } from 'vitest';
import { CLI, runCli } from '../support/cli.js';
import { writeConfig } from '../support/config.js';
import { changeSources, septemberRows, sourceTables } from '../support/sourceChanges.js';
import { createTestDatabase, type TestDatabase } from '../support/testDatabase.js';

const SCOPE = {
  pairs: ['eurusd'],
  months: {
    bollinger: { from: '2024-07', to: '2024-09' },
    regression: { from: '2024-07', to: '2024-09' },
  },
  run: { workers: { bollinger: 1, regression: 1, extraction: 1 }, snapshotSeconds: 1 },
};

const cleanups: Array<() => Promise<unknown>> = [];
afterAll(async () => {
  for (const c of cleanups.reverse()) await c().catch(() => {});
});

/** The lines of `out` that are JSON objects of `type` (events and the follow's own). */
function lines(out: string, type: string): Array<Record<string, unknown>> {
  return out
    .split('\n')
    .filter((l) => l.startsWith('{') && l.includes(`"${type}"`))
    .map((l) => JSON.parse(l) as Record<string, unknown>)
    .filter((o) => o['type'] === type || o['kind'] === type);
}

/** Whether a worker's event of `type` about `unit` was printed (events nest the worker's). */
function unitEvent(out: string, type: string, unit: string): boolean {
  return out
    .split('\n')
    .some((l) => l.includes(`"type":"${type}"`) && l.includes(`"unit":"${unit}"`));
}

/**
 * A `run --json --follow 5s` on a fresh database, whose notify command appends each notice
 * (`BQX_RUN_ID|BQX_STATUS|BQX_EXIT_CODE|BQX_SUMMARY`) to a file.
 */
async function startFollow(
  prepare?: (db: TestDatabase, env: Record<string, string>) => Promise<void>,
) {
  const db = await createTestDatabase();
  cleanups.push(() => db.drop());
  const dir = await mkdtemp(path.join(os.tmpdir(), 'bqx-follow-'));
  cleanups.push(() => rm(dir, { recursive: true, force: true }));
  const noticeFile = path.join(dir, 'notices.txt');
  const tell = path.join(dir, 'tell.sh');
  await writeFile(
    tell,
    `#!/bin/sh\nprintf '%s|%s|%s|%s\\n' "$BQX_RUN_ID" "$BQX_STATUS" "$BQX_EXIT_CODE" "$BQX_SUMMARY" >> "${noticeFile}"\n`,
  );
  await chmod(tell, 0o755);
  const config = await writeConfig(JSON.stringify({ ...SCOPE, notify: { command: [tell] } }));
  const globals = ['--data-dir', path.join(dir, 'data'), '--out', path.join(dir, 'out')];
  const args = [...globals, '--config', config];
  const env = { DATABASE_URL: db.url, NO_COLOR: '1' };
  await prepare?.(db, env);
  const child = execa('node', [CLI, ...args, 'run', '--json', '--follow', '5s'], {
    reject: false,
    env,
    timeout: 800_000,
  });
  cleanups.push(async () => child.kill('SIGKILL'));
  let out = '';
  child.stdout?.on('data', (b: Buffer) => {
    out += b.toString();
  });
  const notices = async () =>
    (await readFile(noticeFile, 'utf8').catch(() => ''))
      .split('\n')
      .filter((l) => l.length > 0)
      .map((l) => l.split('|'));
  return { db, args, env, child, out: () => out, notices };
}

describe('run --follow', { timeout: 900_000 }, () => {
  it('computes a month that arrives while it waits, in a run of its own; stop ends it', async () => {
    const { db, args, env, child, out, notices } = await startFollow();
    const poll = { timeout: 600_000, interval: 250 };

    // The first run ends (September: no data), then it waits.
    await expect.poll(() => lines(out(), 'follow_waiting').length, poll).toBeGreaterThan(0);
    expect(unitEvent(out(), 'unit_empty', 'eurusd/2024-09')).toBe(true);
    expect(unitEvent(out(), 'unit_done', 'eurusd/2024-09')).toBe(false);

    // September arrives: the next check finds it stale and a new run computes it.
    await changeSources(
      db,
      sourceTables('eurusd').map((t) => t.table),
      await septemberRows(db, 'eurusd'),
    );
    await expect.poll(() => unitEvent(out(), 'unit_done', 'eurusd/2024-09'), poll).toBe(true);
    const waits = lines(out(), 'follow_waiting').length;
    await expect.poll(() => lines(out(), 'follow_waiting').length, poll).toBeGreaterThan(waits);
    const last = lines(out(), 'follow_waiting').at(-1)!;
    expect(last['lastChange']).toMatchObject({ unit: 'eurusd/2024-09' });

    // Two runs, each with its own id; Track 3 held (follow.extractionEvery: 1h by default).
    const runs = await runCli([...args, 'runs', '--json'], { env });
    expect(runs.exitCode, runs.stderr).toBe(0);
    const ids = JSON.parse(runs.stdout).runs.map((r: { runId: string }) => r.runId);
    expect(new Set(ids).size).toBe(2);
    const second = await db.pool.query<{ k: string }>(
      `SELECT track || ':' || unit AS k FROM bqx_monitor.unit_history WHERE run_id = $1`,
      [ids[0]],
    );
    const ran = second.rows.map((r) => r.k);
    expect(ran).toContain('bollinger:eurusd/2024-09');
    expect(ran).toContain('regression:eurusd/2024-09');
    expect(ran).not.toContain('extraction:eurusd');
    expect(ran).not.toContain('bollinger:eurusd/2024-07');

    // Two quiet successes: no notice yet.
    expect(await notices()).toEqual([]);

    // `stop` reaches the waiting follow (through the database): it ends with 130, and its
    // end is told once, naming its last run.
    const stop = await runCli([...args, 'stop'], { env });
    expect(stop.exitCode, stop.stderr).toBe(0);
    expect(stop.stdout).toContain('the follow stopped');
    const end = await child;
    expect(end.exitCode, String(end.stderr)).toBe(130);
    const told = await notices();
    expect(told.map((n) => n.slice(0, 3))).toEqual([[ids[0], 'stopped', '130']]);
    expect(told[0]![3]).toContain('stopped (exit 130) after 2 cycle(s)');
    const rows = await db.pool.query('SELECT count(*)::int AS n FROM bqx_monitor.follows');
    expect(rows.rows[0].n).toBe(0);
  });

  it('stopped during a run: the end of that run is the one notice', async () => {
    let holder: pg.PoolClient | undefined;
    const { db, args, env, child, out, notices } = await startFollow(async (d, e) => {
      expect((await runCli(['init-db'], { env: e })).exitCode).toBe(0);
      // The regression outputs stay locked: the first run's writes wait for the test.
      holder = await d.pool.connect();
      await holder.query('BEGIN');
      await holder.query('LOCK TABLE bqx.reg_rate_eurusd IN ACCESS SHARE MODE');
    });
    const release = async () => {
      await holder?.query('COMMIT').catch(() => {});
      holder?.release();
      holder = undefined;
    };
    cleanups.push(release);
    const poll = { timeout: 600_000, interval: 250 };
    const blocked = async () => {
      const r = await db.pool.query(
        `SELECT count(*)::int AS n FROM pg_stat_activity
          WHERE datname = current_database() AND wait_event_type = 'Lock'`,
      );
      return r.rows[0].n as number;
    };
    await expect.poll(blocked, poll).toBeGreaterThan(0);

    // A stop while the run goes on: the run stops as any run does once its units finish.
    const stop = runCli([...args, 'stop'], { env, timeout: 600_000 });
    await expect
      .poll(async () => {
        const r = await db.pool.query(
          `SELECT count(*)::int AS n FROM bqx_monitor.follows WHERE stop_requested_at IS NOT NULL`,
        );
        return r.rows[0].n as number;
      }, poll)
      .toBe(1);
    const phase = async () => {
      const r = await db.pool.query(`SELECT phase FROM bqx_monitor.runs WHERE status = 'running'`);
      return r.rows.map((x) => x.phase);
    };
    await expect.poll(phase, poll).toEqual(['stopping']);
    await release();
    expect((await stop).exitCode).toBe(0);
    const end = await child;
    expect(end.exitCode, String(end.stderr)).toBe(130);
    expect(lines(out(), 'follow_waiting')).toEqual([]);
    const told = await notices();
    expect(told.map((n) => n[1])).toEqual(['interrupted']);
    expect(told[0]![2]).toBe('130');
  });

  it('refuses a bad interval with exit 2 and one line', async () => {
    const r = await runCli(['run', '--follow', 'soon']);
    expect(r.exitCode).toBe(2);
    expect(r.stderr.trim()).toBe(
      'bqx-monitor: --follow "soon" is not an interval (e.g. 30s, 5m, 1h)',
    );
  });
});

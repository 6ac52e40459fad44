import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { execa } from 'execa';
import { afterAll, describe, expect, it } from 'vitest';
import { CLI, runCli } from '../support/cli.js';
import { writeConfig } from '../support/config.js';
import { changeSources, septemberRows, sourceTables } from '../support/sourceChanges.js';
import { createTestDatabase } from '../support/testDatabase.js';

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

describe('run --follow', { timeout: 900_000 }, () => {
  it('computes a month that arrives while it waits, in a run of its own; stop ends it', async () => {
    const db = await createTestDatabase();
    cleanups.push(() => db.drop());
    const dir = await mkdtemp(path.join(os.tmpdir(), 'bqx-follow-'));
    cleanups.push(() => rm(dir, { recursive: true, force: true }));
    const config = await writeConfig(JSON.stringify(SCOPE));
    const globals = ['--data-dir', path.join(dir, 'data'), '--out', path.join(dir, 'out')];
    const args = [...globals, '--config', config];
    const env = { DATABASE_URL: db.url, NO_COLOR: '1' };
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
    const poll = { timeout: 600_000, interval: 250 };

    // The first run ends (September: no data), then it waits.
    await expect.poll(() => lines(out, 'follow_waiting').length, poll).toBeGreaterThan(0);
    expect(unitEvent(out, 'unit_empty', 'eurusd/2024-09')).toBe(true);
    expect(unitEvent(out, 'unit_done', 'eurusd/2024-09')).toBe(false);

    // September arrives: the next check finds it stale and a new run computes it.
    await changeSources(
      db,
      sourceTables('eurusd').map((t) => t.table),
      await septemberRows(db, 'eurusd'),
    );
    await expect.poll(() => unitEvent(out, 'unit_done', 'eurusd/2024-09'), poll).toBe(true);
    const waits = lines(out, 'follow_waiting').length;
    await expect.poll(() => lines(out, 'follow_waiting').length, poll).toBeGreaterThan(waits);
    const last = lines(out, 'follow_waiting').at(-1)!;
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

    // `stop` reaches the waiting follow: it ends with 130.
    const stop = await runCli([...args, 'stop'], { env });
    expect(stop.exitCode, stop.stderr).toBe(0);
    const end = await child;
    expect(end.exitCode, String(end.stderr)).toBe(130);
  });

  it('refuses a bad interval with exit 2 and one line', async () => {
    const r = await runCli(['run', '--follow', 'soon']);
    expect(r.exitCode).toBe(2);
    expect(r.stderr.trim()).toBe(
      'bqx-monitor: --follow "soon" is not an interval (e.g. 30s, 5m, 1h)',
    );
  });
});

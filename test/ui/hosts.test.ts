import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { execa } from 'execa';
import { afterAll, describe, expect, it } from 'vitest';
import { CLI, runCli } from '../support/cli.js';
import { writeConfig } from '../support/config.js';
import { createTestDatabase } from '../support/testDatabase.js';
import { type TmuxSession, tmuxSession } from '../support/tmux.js';

/** The host name of the worker "of another machine": its own UTS namespace (we are root). */
const HOST = 'other-host';

const sessions: TmuxSession[] = [];
const cleanups: Array<() => Promise<unknown>> = [];
afterAll(async () => {
  for (const s of sessions) await s.kill();
  for (const c of cleanups.reverse()) await c().catch(() => {});
});

interface StatusHost {
  host: string;
  workers: Record<string, number>;
  done: number;
  noData: number;
}

describe('workers of other hosts (tmux)', { timeout: 360_000 }, () => {
  it('a worker of another host joins the run: the dashboard and status show its host and its units', async () => {
    expect(os.hostname()).not.toBe(HOST);
    const db = await createTestDatabase();
    const dir = await mkdtemp(path.join(os.tmpdir(), 'bqx-hosts-'));
    cleanups.push(
      () => db.drop(),
      () => rm(dir, { recursive: true, force: true }),
    );
    const config = await writeConfig(
      JSON.stringify({ run: { workers: { bollinger: 1, regression: 1, extraction: 1 } } }),
    );
    // A user's worker on "another machine", started before the run: it waits for units.
    const remote = execa(
      'unshare',
      [
        '--uts',
        'sh',
        '-c',
        `hostname ${HOST} && exec node ${CLI} --out ${dir}/remote-out --config ${config} worker --track regression`,
      ],
      {
        reject: false,
        forceKillAfterDelay: false,
        env: { DATABASE_URL: db.url, NO_COLOR: '1' },
      },
    );
    cleanups.push(async () => {
      remote.kill('SIGTERM');
      await remote;
    });
    const hosts = async () =>
      (await db.pool.query('SELECT DISTINCT host FROM bqx_monitor.workers')).rows.map(
        (r) => r.host as string,
      );
    await expect.poll(hosts, { timeout: 60_000, interval: 200 }).toContain(HOST);

    const args = `--data-dir ${dir}/data --out ${dir}/out --config ${config}`;
    const s = await tmuxSession(
      `env DATABASE_URL='${db.url}' LANG=C.UTF-8 TERM=xterm-256color CI=true node ${CLI} ${args} run; echo EXIT=$?; sleep 120`,
    );
    sessions.push(s);
    await s.waitFor(
      (x) => new RegExp(`hosts: .*${HOST} \\(T2 1\\)`).test(x),
      'the other host and its Track 2 worker in the hosts line',
    );
    const end = await s.waitFor(
      (x) => x.includes('Run complete') && /Overall .* 100\.0% /.test(x),
      'the run to complete',
      240_000,
    );
    const runId = end.match(/run (\d{8}-\d{6}-[0-9a-f]{4})/)?.[1];
    expect(runId).toBeDefined();
    // What the other host did, by its own ledger rows, is what the dashboard says it did.
    const ledger = await db.pool.query<{ n: number }>(
      `SELECT count(*)::int AS n FROM bqx_monitor.unit_results
        WHERE run_id = $1 AND host = $2 AND status IN ('done', 'empty')`,
      [runId, HOST],
    );
    const n = ledger.rows[0]!.n;
    // It waited on the queue before the run's own workers started: it got units.
    expect(n).toBeGreaterThan(0);
    expect(end).toMatch(new RegExp(`${HOST} \\(T2 1\\) ${n} done`));
    expect(end).toMatch(new RegExp(`hosts: ${os.hostname()} \\(`));

    const status = await runCli(['status', '--json'], { env: { DATABASE_URL: db.url } });
    expect(status.exitCode).toBe(0);
    const report = JSON.parse(status.stdout) as { hosts: StatusHost[] };
    const other = report.hosts.find((h) => h.host === HOST);
    expect(other).toMatchObject({ workers: { regression: 1 } });
    expect(other!.done + other!.noData).toBe(n);
    const text = await runCli(['status'], { env: { DATABASE_URL: db.url } });
    expect(text.stdout).toMatch(new RegExp(`^hosts: .* · ${HOST} \\(T2 1\\) ${n} done`, 'm'));

    await s.keys('q');
    await s.waitFor((x) => x.includes('EXIT=0'), 'the dashboard to exit', 30_000);
  });
});

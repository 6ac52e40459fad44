import { chmod, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { createServer, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { execa } from 'execa';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { LineSplitter } from '../../../src/orchestrator/lineSplitter.js';
import { CLI, runCli } from '../../support/cli.js';
import { writeConfig } from '../../support/config.js';
import { createTestDatabase, type TestDatabase } from '../../support/testDatabase.js';

/** A webhook receiver on 127.0.0.1: the n-th POST (1-based) is answered `answer(n)`; null: never. */
async function receiver(answer: (n: number) => number | null) {
  const bodies: Array<Record<string, unknown>> = [];
  const held: ServerResponse[] = [];
  const server = createServer((req, res) => {
    let body = '';
    req.on('data', (c) => (body += c));
    req.on('end', () => {
      bodies.push(JSON.parse(body));
      const status = answer(bodies.length);
      if (status === null) held.push(res);
      else res.writeHead(status).end();
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/hook`,
    bodies,
    close: async () => {
      for (const res of held) res.destroy();
      server.closeAllConnections();
      await new Promise<void>((r) => server.close(() => r()));
    },
  };
}

/** `run --json` as a child: each stdout line with when it came, and when the process ended. */
async function timedRun(args: string[]) {
  const lines: Array<{ at: number; line: Record<string, unknown> }> = [];
  const proc = execa('node', [CLI, ...args], {
    reject: false,
    buffer: { stdout: false, stderr: true },
    timeout: 240_000,
    env: { DATABASE_URL: '', PGHOST: '', PGDATABASE: '', PGUSER: '', PGPORT: '', NO_COLOR: '1' },
  });
  const split = new LineSplitter();
  proc.stdout?.setEncoding('utf8');
  proc.stdout?.on('data', (c: string) => {
    for (const l of split.push(c)) if (l) lines.push({ at: Date.now(), line: JSON.parse(l) });
  });
  const r = await proc;
  return { exitCode: r.exitCode, stderr: String(r.stderr), exitedAt: Date.now(), lines };
}

describe('a run tells its end (real runs, real PostgreSQL)', { timeout: 600_000 }, () => {
  let db: TestDatabase;
  let dir: string;
  const cleanups: Array<() => Promise<unknown>> = [];
  beforeAll(async () => {
    db = await createTestDatabase();
    dir = await mkdtemp(path.join(os.tmpdir(), 'bqx-notify-run-'));
    expect((await runCli(['--db', db.url, 'init-db'])).exitCode).toBe(0);
    // Passes the preflight, fails at write time: every EURUSD regression unit fails.
    await db.pool.query('ALTER TABLE bqx.reg_rate_eurusd ADD CONSTRAINT reject_all CHECK (false)');
  });
  afterAll(async () => {
    for (const c of cleanups.reverse()) await c().catch(() => {});
    await db?.drop();
    await rm(dir, { recursive: true, force: true });
  });

  async function script(name: string, body: string): Promise<string> {
    const file = path.join(dir, name);
    await writeFile(file, `#!/bin/sh\n${body}\n`);
    await chmod(file, 0o755);
    return file;
  }

  const args = async (notify: object) => [
    '--db',
    db.url,
    '--data-dir',
    path.join(dir, 'data'),
    '--out',
    path.join(dir, 'out'),
    '--config',
    await writeConfig(
      JSON.stringify({
        pairs: ['eurusd'],
        notify,
        run: { maxAttempts: 1, workers: { bollinger: 1, regression: 1, extraction: 1 } },
      }),
    ),
    'run',
    '--json',
  ];

  it('sends exactly one digest naming the failed unit, its error and the retry command; the command gets the outcome', async () => {
    const hook = await receiver(() => 200);
    cleanups.push(hook.close);
    const envFile = path.join(dir, 'env.txt');
    const cmd = await script(
      'tell.sh',
      `printf '%s\\n%s\\n%s\\n%s\\n' "$BQX_RUN_ID" "$BQX_STATUS" "$BQX_EXIT_CODE" "$BQX_SUMMARY" > "${envFile}"`,
    );
    const r = await timedRun(await args({ webhook: hook.url, command: [cmd] }));
    expect(r.exitCode, r.stderr).toBe(1);
    const runId = String(r.lines.at(-1)!.line['runId']);
    expect(hook.bodies).toHaveLength(1);
    const d = hook.bodies[0]!;
    expect(d).toMatchObject({
      runId,
      status: 'failed',
      exitCode: 1,
      retryCommand: 'bqx-monitor run --detach',
    });
    const failures = d['failures'] as Array<{ track: string; unit: string; errorTail: string[] }>;
    expect(failures.map((f) => `${f.track} ${f.unit}`)).toEqual([
      'regression eurusd/2024-07',
      'regression eurusd/2024-08',
    ]);
    // The error's last line, as the ledger recorded it.
    const recorded = await db.pool.query(
      `SELECT error FROM bqx_monitor.unit_results WHERE unit = 'eurusd/2024-07' AND track = 'regression'`,
    );
    const lastLine = String(recorded.rows[0].error).trim().split('\n').at(-1)!;
    expect(lastLine).toMatch(/reject_all/);
    expect(failures[0]!.errorTail.at(-1)).toBe(lastLine);
    expect(String(d['text'])).toContain('regression eurusd/2024-07 failed');
    expect(String(d['text'])).toContain('bqx-monitor run --detach');
    const tracks = d['tracks'] as Array<Record<string, unknown>>;
    expect(tracks.map((t) => [t['track'], t['failed']])).toEqual([
      ['bollinger', 0],
      ['regression', 2],
      ['extraction', 0],
    ]);
    expect(d['wallSeconds']).toBeGreaterThan(0);
    // The database's password never travels.
    const password = new URL(db.url).password;
    expect(password.length).toBeGreaterThan(0);
    expect(JSON.stringify(d)).not.toContain(password);
    const env = (await readFile(envFile, 'utf8')).split('\n');
    expect(env.slice(0, 3)).toEqual([runId, 'failed', '1']);
    expect(env[3]).toBe(String(d['summary']));
    expect(r.stderr).toMatch(
      /notify webhook 127\.0\.0\.1:\d+: failed notice of run .* delivered \(attempt 1\)/,
    );
    expect(r.stderr).toMatch(/notify command .*tell\.sh: failed notice of run .* sent/);
  });

  it('retries a webhook that answers 500 twice: the third try delivers it', async () => {
    const hook = await receiver((n) => (n <= 2 ? 500 : 200));
    cleanups.push(hook.close);
    const r = await timedRun(await args({ webhook: hook.url, timeoutSeconds: 30 }));
    expect(r.exitCode, r.stderr).toBe(1);
    expect(hook.bodies).toHaveLength(3);
    const runId = r.lines.at(-1)!.line['runId'];
    expect(hook.bodies.every((b) => b['runId'] === runId)).toBe(true);
    expect(r.stderr).toMatch(/delivered \(attempt 3\)/);
  });

  it('a webhook that never answers delays the exit by no more than the timeout; a failing command is reported, not fatal', async () => {
    const hook = await receiver(() => null);
    cleanups.push(hook.close);
    const cmd = await script('broken.sh', 'echo "mail server down" >&2; exit 3');
    const timeoutSeconds = 3;
    const r = await timedRun(await args({ webhook: hook.url, command: [cmd], timeoutSeconds }));
    // The run's own exit code: the notices change nothing.
    expect(r.exitCode, r.stderr).toBe(1);
    const finished = r.lines.find(
      (l) => l.line['kind'] === 'event' && l.line['type'] === 'run_finished',
    );
    expect(finished).toBeDefined();
    // The timeout, plus the process's own way out (closing its pool, on a busy machine).
    expect(r.exitedAt - finished!.at).toBeLessThan(timeoutSeconds * 1000 + 5000);
    expect(hook.bodies.length).toBeGreaterThanOrEqual(1);
    expect(r.stderr).toMatch(
      /notify webhook 127\.0\.0\.1:\d+ not delivered .*no answer before the timeout; the run is not affected/,
    );
    expect(r.stderr).toMatch(
      /notify command .*broken\.sh failed \(exit 3: mail server down\); the run is not affected/,
    );
  });
});

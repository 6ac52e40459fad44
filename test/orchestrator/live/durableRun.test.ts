import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { execa, type ResultPromise } from 'execa';
import { afterAll, describe, expect, it } from 'vitest';
import { isAlive } from '../../../src/db/embedded/processes.js';
import { LineSplitter } from '../../../src/orchestrator/lineSplitter.js';
import { CLI, runCli } from '../../support/cli.js';
import { writeConfig } from '../../support/config.js';
import { processesMatching } from '../../support/processes.js';
import { type JsonLine, parquetDigests, tableDigests } from '../../support/pipeline.js';
import { startOwnServer } from '../../support/ownServer.js';
import { createTestDatabase, type TestDatabase } from '../../support/testDatabase.js';

const PAIRS = ['eurusd', 'usdjpy'];
/** The template's scope, spelled out: a database the tool never saw has no dataset record. */
const SCOPE = {
  pairs: PAIRS,
  months: {
    bollinger: { from: '2024-07', to: '2024-09' },
    regression: { from: '2024-07', to: '2024-08' },
  },
  run: { workers: { bollinger: 1, regression: 1, extraction: 1 }, snapshotSeconds: 1 },
};
const UNITS = 12;
const NO_ENV = { DATABASE_URL: '', PGHOST: '', PGDATABASE: '', PGUSER: '', PGPORT: '' };

interface Scratch {
  readonly dir: string;
  readonly data: string;
  readonly out: string;
  readonly config: string;
}

const cleanups: Array<() => Promise<unknown>> = [];
afterAll(async () => {
  for (const c of cleanups.reverse()) await c().catch(() => {});
});

async function scratch(extra: object = {}): Promise<Scratch> {
  const dir = await mkdtemp(path.join(os.tmpdir(), 'bqx-durable-'));
  cleanups.push(() => rm(dir, { recursive: true, force: true }));
  return {
    dir,
    data: path.join(dir, 'data'),
    out: path.join(dir, 'out'),
    config: await writeConfig(JSON.stringify({ ...SCOPE, ...extra })),
  };
}

async function database(opts: { unseen?: boolean } = {}): Promise<TestDatabase> {
  const db = await createTestDatabase();
  cleanups.push(() => db.drop());
  // A database bqx-monitor never saw: the sources only.
  if (opts.unseen)
    await db.pool.query('DROP SCHEMA bqx_monitor CASCADE; DROP SCHEMA graphile_worker CASCADE');
  return db;
}

const globals = (s: Scratch) => ['--data-dir', s.data, '--out', s.out, '--config', s.config];

/** A real `bqx-monitor` child, its stdout split into lines as they come. */
function spawnCli(args: string[], env: Record<string, string>) {
  const lines: string[] = [];
  const proc: ResultPromise = execa('node', [CLI, ...args], {
    reject: false,
    buffer: false,
    // A graceful stop may take longer than execa's default 5 s before SIGKILL.
    forceKillAfterDelay: false,
    env: { ...NO_ENV, NO_COLOR: '1', ...env },
  });
  const split = new LineSplitter();
  let stderr = '';
  proc.stdout?.setEncoding('utf8');
  proc.stdout?.on('data', (c: string) => lines.push(...split.push(c)));
  proc.stderr?.setEncoding('utf8');
  proc.stderr?.on('data', (c: string) => {
    stderr += c;
  });
  return { proc, lines, stderr: () => stderr };
}

const json = (lines: readonly string[]): JsonLine[] =>
  lines.filter((l) => l.startsWith('{')).map((l) => JSON.parse(l) as JsonLine);

async function finishedUnits(db: TestDatabase): Promise<number> {
  const r = await db.pool.query(
    "SELECT count(*)::int AS n FROM bqx_monitor.unit_results WHERE status IN ('done', 'empty')",
  );
  return r.rows[0].n;
}

const STACK = /internal error|\n\s+at .*\.js:\d+|Unhandled|node:events/;

describe('the run outlives its terminal and its database blips', { timeout: 420_000 }, () => {
  it('gives one run to two starts at the same moment on a fresh database; both follow it, exit 0', async () => {
    const db = await database({ unseen: true });
    const s = await scratch();
    const a = spawnCli([...globals(s), 'run', '--json'], { DATABASE_URL: db.url });
    const b = spawnCli([...globals(s), 'run', '--json'], { DATABASE_URL: db.url });
    const [ra, rb] = await Promise.all([a.proc, b.proc]);
    expect(ra.exitCode, a.stderr()).toBe(0);
    expect(rb.exitCode, b.stderr()).toBe(0);
    expect(a.stderr() + b.stderr()).not.toMatch(STACK);
    const sa = json(a.lines).at(-1)!;
    const sb = json(b.lines).at(-1)!;
    expect(sa['kind']).toBe('summary');
    expect(sb['kind']).toBe('summary');
    expect(sa['runId']).toBe(sb['runId']);
    expect(sa['status']).toBe('complete');
    expect(sb['status']).toBe('complete');
    // The follower has the supervisor's post-run report too: it came as an event.
    expect(sa['report']).toMatchObject({ runId: sa['runId'], status: 'complete' });
    expect(sb['report']).toEqual(sa['report']);
    // One of them followed the other, and said so first.
    const firsts = [json(a.lines)[0]!, json(b.lines)[0]!].map((l) => l['kind']).sort();
    expect(firsts).toEqual(['follow', 'preflight']);
    const r = await db.pool.query('SELECT unit, attempts FROM bqx_monitor.unit_results');
    expect(r.rows).toHaveLength(UNITS);
    expect(r.rows.every((x) => x.attempts === 1)).toBe(true);
    const runs = await db.pool.query('SELECT count(*)::int AS n FROM bqx_monitor.runs');
    expect(runs.rows[0].n).toBe(1);
  });

  it('waits out a database stopped for 15 s mid-run: exit 0, no stack trace, outputs as a clean run', async () => {
    const clean = await database();
    const cs = await scratch();
    const c = await runCli([...globals(cs), 'run', '--json'], {
      env: { DATABASE_URL: clean.url },
      timeout: 300_000,
    });
    expect(c.exitCode, c.stderr).toBe(0);
    const own = await startOwnServer();
    cleanups.push(() => own.close());
    const s = await scratch();
    const run = spawnCli([...globals(s), 'run', '--json'], { DATABASE_URL: own.url });
    await expect
      .poll(() => json(run.lines).filter((l) => l['type'] === 'worker_event').length, {
        timeout: 120_000,
      })
      .toBeGreaterThan(8);
    await own.stop();
    // The outage itself is the scenario: 15 s without a database.
    await new Promise((r) => setTimeout(r, 15_000));
    await own.start();
    const r = await run.proc;
    expect(r.exitCode, run.stderr()).toBe(0);
    expect(run.stderr()).not.toMatch(STACK);
    const lines = json(run.lines);
    expect(lines.at(-1)).toMatchObject({ kind: 'summary', status: 'complete' });
    const lost = lines.filter((l) => l['type'] === 'connection' && l['side'] === 'supervisor');
    expect(lost.map((l) => l['state'])).toEqual(['lost', 'back']);
    const pool = new (await import('pg')).default.Pool({ connectionString: own.url, max: 1 });
    try {
      const ownDb = { pool } as unknown as TestDatabase;
      expect(await tableDigests(ownDb, PAIRS)).toEqual(await tableDigests(clean, PAIRS));
      const att = await pool.query('SELECT count(*)::int AS n FROM bqx_monitor.unit_results');
      expect(att.rows[0].n).toBe(UNITS);
    } finally {
      await pool.end();
    }
    expect(await parquetDigests(s.out)).toEqual(await parquetDigests(cs.out));
  });

  it('after kill -9 of its supervisor: a view says it stopped unexpectedly; the next start carries on', async () => {
    const db = await database();
    const s = await scratch();
    const env = { DATABASE_URL: db.url };
    const first = spawnCli([...globals(s), 'run', '--json'], env);
    await expect.poll(() => finishedUnits(db), { timeout: 120_000 }).toBeGreaterThan(1);
    const runId = json(first.lines)[0]!['runId'] as string;
    const view = spawnCli([...globals(s), 'attach'], env);
    await expect
      .poll(
        () => view.lines.some((l) => l.includes(`following run ${runId}`) || l.includes(runId)),
        {
          timeout: 60_000,
        },
      )
      .toBe(true);
    first.proc.kill('SIGKILL');
    await first.proc;
    const v = await view.proc;
    expect(v.exitCode).toBe(1);
    expect(view.lines.join('\n')).toContain('run stopped unexpectedly');
    const st = await runCli([...globals(s), 'status', '--json'], { env });
    expect(JSON.parse(st.stdout).run).toMatchObject({ runId, status: 'stopped unexpectedly' });
    // The workers finish their unit and leave once their supervisor is gone.
    await expect
      .poll(
        async () =>
          (await db.pool.query('SELECT count(*)::int AS n FROM bqx_monitor.workers')).rows[0].n,
        {
          timeout: 120_000,
        },
      )
      .toBe(0);
    const doneBefore = (
      await db.pool.query("SELECT track || ':' || unit AS k FROM bqx_monitor.unit_results")
    ).rows.map((r) => r.k as string);
    const second = await runCli([...globals(s), 'run', '--json'], { env, timeout: 300_000 });
    expect(second.exitCode, second.stderr).toBe(0);
    const lines = json(second.stdout.split('\n'));
    const started = lines
      .filter((l) => l['type'] === 'worker_event')
      .map((l) => l['event'] as { type: string; unit: string; track: string })
      .filter((e) => e.type === 'unit_start')
      .map((e) => `${e.track}:${e.unit}`);
    for (const k of doneBefore) expect(started).not.toContain(k);
    const runs = await db.pool.query(
      'SELECT run_id, status, resumed_from FROM bqx_monitor.runs ORDER BY started_at',
    );
    expect(runs.rows.map((r) => r.status)).toEqual(['lost', 'complete']);
    expect(runs.rows[1].resumed_from).toBe(runId);
  });

  it('runs in the background with --detach; stop ends it, units finish first; nothing is left', async () => {
    const db = await database();
    const s = await scratch();
    const env = { DATABASE_URL: db.url };
    const d = await runCli([...globals(s), 'run', '--detach'], { env });
    expect(d.exitCode, d.stderr).toBe(0);
    const runId = d.stdout.match(/run (\S+) in the background/)?.[1];
    expect(runId).toBeDefined();
    await expect.poll(() => finishedUnits(db), { timeout: 120_000 }).toBeGreaterThan(0);
    const st = await runCli([...globals(s), 'status', '--json'], { env });
    const status = JSON.parse(st.stdout);
    expect(status.run).toMatchObject({ runId, status: 'running', phase: 'running', live: true });
    const supervisor = status.run.pid as number;
    const stop = await runCli([...globals(s), 'stop'], { env, timeout: 180_000 });
    expect(stop.exitCode, stop.stderr).toBe(0);
    expect(stop.stdout).toContain(`run ${runId} interrupted`);
    await expect.poll(() => isAlive(supervisor), { timeout: 30_000 }).toBe(false);
    const after = JSON.parse((await runCli([...globals(s), 'status', '--json'], { env })).stdout);
    expect(after.run).toMatchObject({ runId, status: 'interrupted', exitCode: 130, live: false });
    expect(await processesMatching(`--out ${s.out} worker`)).toEqual([]);
    // A unit the stop let finish is recorded; none is half-written (verify lists the rest as pending).
    const units = await finishedUnits(db);
    expect(units).toBeGreaterThan(0);
  });

  it('keeps running through SIGHUP and a closed stdout; SIGTERM stops it with exit 143', async () => {
    const db = await database();
    const s = await scratch();
    const env = { DATABASE_URL: db.url };
    const run = spawnCli([...globals(s), 'run', '--json'], env);
    await expect.poll(() => run.lines.length, { timeout: 120_000 }).toBeGreaterThan(3);
    run.proc.kill('SIGHUP');
    run.proc.stdout?.destroy();
    await expect.poll(() => finishedUnits(db), { timeout: 120_000 }).toBeGreaterThan(2);
    expect(isAlive(run.proc.pid!)).toBe(true);
    run.proc.kill('SIGTERM');
    const r = await run.proc;
    expect(r.exitCode, run.stderr()).toBe(143);
    expect(run.stderr()).not.toMatch(STACK);
    const row = await db.pool.query('SELECT status, exit_code FROM bqx_monitor.runs');
    expect(row.rows).toEqual([{ status: 'interrupted', exit_code: 143 }]);
  });
});

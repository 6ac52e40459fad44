import { existsSync, readFileSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { execa, type ResultPromise } from 'execa';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { isAlive as processAlive } from '../../../src/db/embedded/processes.js';
import { LineSplitter } from '../../../src/orchestrator/lineSplitter.js';
import { CLI, type CliResult, runCli } from '../../support/cli.js';
import { writeConfig } from '../../support/config.js';
import {
  type JsonLine,
  parquetDigests,
  parseJsonLines,
  tableDigests,
} from '../../support/pipeline.js';
import { createTestDatabase, type TestDatabase } from '../../support/testDatabase.js';

const PAIRS = ['eurusd', 'usdjpy'];
const CONFIG = JSON.stringify({
  run: {
    snapshotSeconds: 0.5,
    workers: { bollinger: 1, regression: 1, extraction: 1 },
  },
});

/** Waits until `cond` holds (the output it watches has come), at most `ms`. */
async function until(cond: () => boolean, ms: number, what: string): Promise<void> {
  await vi.waitFor(
    () => {
      if (!cond()) throw new Error(`timed out waiting for ${what}`);
    },
    { timeout: ms, interval: 50 },
  );
}

interface Scratch {
  dir: string;
  data: string;
  out: string;
  config: string;
}

async function scratch(): Promise<Scratch> {
  const dir = await mkdtemp(path.join(os.tmpdir(), 'bqx-run-'));
  return {
    dir,
    data: path.join(dir, 'data'),
    out: path.join(dir, 'out'),
    config: await writeConfig(CONFIG),
  };
}

const runArgs = (db: TestDatabase, s: Scratch, ...rest: string[]) => [
  '--db',
  db.url,
  '--data-dir',
  s.data,
  '--out',
  s.out,
  '--config',
  s.config,
  ...rest,
];

/** Starts `run --json` and collects its lines as they come. */
function startJsonRun(db: TestDatabase, s: Scratch) {
  const lines: JsonLine[] = [];
  const proc: ResultPromise = execa('node', [CLI, ...runArgs(db, s, 'run', '--json')], {
    reject: false,
    buffer: false,
    env: { DATABASE_URL: '', PGHOST: '', PGDATABASE: '', PGUSER: '', PGPORT: '' },
  });
  const split = new LineSplitter();
  proc.stdout?.setEncoding('utf8');
  proc.stdout?.on('data', (c: string) => {
    for (const l of split.push(c)) if (l) lines.push(JSON.parse(l));
  });
  return { proc, lines };
}

/** Worker events (`kind: event`, `type: worker_event`) of a run's output. */
function workerEvents(lines: readonly JsonLine[]) {
  return lines
    .filter((l) => l.kind === 'event' && l['type'] === 'worker_event')
    .map(
      (l) =>
        l as unknown as {
          track: string;
          pid: number;
          event: Record<string, unknown> & { type: string };
        },
    );
}

describe('orchestrator end to end (real workers, real PostgreSQL)', { timeout: 300_000 }, () => {
  let clean: TestDatabase;
  let cleanDir: Scratch;
  /**
   * The clean run every test compares with, made once by whichever test needs it first (so
   * each test also runs alone, e.g. under `-t`): its CLI result and its outputs' digests.
   */
  let cleanRun:
    | Promise<{ r: CliResult; tables: Record<string, string>; files: Record<string, string> }>
    | undefined;
  const cleanResult = () => {
    cleanRun ??= (async () => {
      const r = await runCli(runArgs(clean, cleanDir, 'run', '--json'), { timeout: 240_000 });
      return {
        r,
        tables: await tableDigests(clean, PAIRS),
        files: await parquetDigests(cleanDir.out),
      };
    })();
    return cleanRun;
  };
  const extra: Array<() => Promise<void>> = [];

  /** A database cloned from the template and scratch directories, dropped after all. */
  async function fresh(): Promise<{ db: TestDatabase; s: Scratch }> {
    const db = await createTestDatabase();
    const s = await scratch();
    extra.push(
      () => db.drop(),
      () => rm(s.dir, { recursive: true, force: true }),
    );
    return { db, s };
  }

  beforeAll(async () => {
    clean = await createTestDatabase();
    cleanDir = await scratch();
  });
  afterAll(async () => {
    for (const c of extra) await c();
    await clean?.drop();
    await rm(cleanDir.dir, { recursive: true, force: true });
  });

  it('--json runs every unit: NDJSON line by line, snapshots, a summary, exit 0', async () => {
    const { r, files } = await cleanResult();
    expect(r.stderr).not.toMatch(/internal error|at .*\.js:\d+/);
    expect(r.exitCode).toBe(0);
    const lines = parseJsonLines(r.stdout);
    expect(lines[0]?.kind).toBe('preflight');
    expect(lines.at(-1)?.kind).toBe('summary');
    expect(lines.filter((l) => l.kind === 'snapshot').length).toBeGreaterThanOrEqual(2);
    const summary = lines.at(-1)!;
    expect(summary['status']).toBe('complete');
    expect(summary['tracks']).toEqual([
      expect.objectContaining({ track: 'bollinger', total: 6, done: 4, noData: 2, failed: 0 }),
      expect.objectContaining({ track: 'regression', total: 4, done: 4, noData: 0, failed: 0 }),
      expect.objectContaining({ track: 'extraction', total: 2, done: 2, noData: 0, failed: 0 }),
    ]);
    // Every worker event is tagged with its track and worker.
    const events = workerEvents(lines);
    expect(events.length).toBeGreaterThan(20);
    for (const e of events) {
      expect(e.track).toMatch(/^(bollinger|regression|extraction)$/);
      expect(e.pid).toBeGreaterThan(0);
    }
    // Each unit ran once.
    const starts = events
      .filter((e) => e.event.type === 'unit_start')
      .map((e) => `${e.track}:${e.event['unit']}`);
    expect(new Set(starts).size).toBe(12);
    expect(starts).toHaveLength(12);
    // The per-run event log.
    const logFile = String(summary['logFile']);
    expect(existsSync(logFile)).toBe(true);
    const logged = readFileSync(logFile, 'utf8')
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l));
    expect(logged.some((l) => l.type === 'run_finished')).toBe(true);
    // Each outcome names the run that made it; the partitions it wrote were analyzed once
    // at its end (they are created with autovacuum off).
    const byRun = await clean.pool.query(
      `SELECT status, count(*)::int AS n FROM bqx_monitor.unit_results WHERE run_id = $1
        GROUP BY status ORDER BY status`,
      [summary['runId']],
    );
    expect(byRun.rows).toEqual([
      { status: 'done', n: 10 },
      { status: 'empty', n: 2 },
    ]);
    const analyzed = await clean.pool.query(
      `SELECT relname, last_analyze IS NOT NULL AS analyzed, last_autoanalyze IS NULL AS no_auto
         FROM pg_stat_user_tables WHERE schemaname = 'bqx' AND relname = 'reg_bqx_eurusd_2024_07'`,
    );
    expect(analyzed.rows).toEqual([
      { relname: 'reg_bqx_eurusd_2024_07', analyzed: true, no_auto: true },
    ]);
    // No password anywhere in what a user sees or keeps.
    const password = new URL(clean.url).password;
    if (password) {
      expect(r.stdout).not.toContain(password);
      expect(readFileSync(logFile, 'utf8')).not.toContain(password);
    }
    expect(Object.keys(files)).toEqual(['eurusd.parquet', 'usdjpy.parquet']);
  });

  it('writes the same outputs as running every unit directly with `track`', async () => {
    const expected = await cleanResult();
    const direct = await createTestDatabase();
    const s = await scratch();
    extra.push(
      () => direct.drop(),
      () => rm(s.dir, { recursive: true, force: true }),
    );
    for (const pair of PAIRS) {
      for (const track of ['bollinger', 'regression', 'extraction']) {
        const r = await runCli([
          '--db',
          direct.url,
          '--out',
          s.out,
          'track',
          track,
          '--pair',
          pair,
        ]);
        expect(r.exitCode).toBe(0);
      }
    }
    expect(await tableDigests(direct, PAIRS)).toEqual(expected.tables);
    expect(await parquetDigests(s.out)).toEqual(expected.files);
  });

  it('status and verify read the finished run from the database; a re-run does nothing', async () => {
    expect((await cleanResult()).r.exitCode).toBe(0);
    const st = await runCli(runArgs(clean, cleanDir, 'status', '--json'));
    expect(st.exitCode).toBe(0);
    const status = JSON.parse(st.stdout);
    expect(status.run.status).toBe('complete');
    expect(status.tracks.map((t: { done: number; noData: number }) => [t.done, t.noData])).toEqual([
      [4, 2],
      [4, 0],
      [2, 0],
    ]);
    const v = await runCli(runArgs(clean, cleanDir, 'verify', '--json'));
    expect(JSON.parse(v.stdout)).toMatchObject({ ok: true, problems: [] });
    expect(v.exitCode).toBe(0);
    const again = await runCli(runArgs(clean, cleanDir, 'run', '--json'), { timeout: 120_000 });
    expect(again.exitCode).toBe(0);
    const lines = parseJsonLines(again.stdout);
    expect(workerEvents(lines).filter((e) => e.event.type === 'unit_start')).toHaveLength(0);
    expect(lines.at(-1)).toMatchObject({ kind: 'summary', status: 'complete' });
  });

  it('verify finds a partition that lost rows and a missing Parquet file (exit 1)', async () => {
    const { db, s } = await fresh();
    expect((await runCli(runArgs(db, s, 'run', '--json'), { timeout: 240_000 })).exitCode).toBe(0);
    await db.pool.query(
      `DELETE FROM bqx.reg_bqx_usdjpy_2024_08 WHERE ctid IN (SELECT ctid FROM bqx.reg_bqx_usdjpy_2024_08 LIMIT 3)`,
    );
    await rm(path.join(s.out, 'eurusd.parquet'));
    const v = await runCli(runArgs(db, s, 'verify', '--json'));
    expect(v.exitCode).toBe(1);
    const report = JSON.parse(v.stdout);
    expect(report.problems).toEqual([
      expect.objectContaining({ track: 'regression', unit: 'usdjpy/2024-08', problem: 'mismatch' }),
      expect.objectContaining({ track: 'extraction', unit: 'eurusd', problem: 'mismatch' }),
    ]);
    expect(report.problems[0].detail).toMatch(/reg_bqx_usdjpy_2024_08 holds \d+ row\(s\)/);
  });

  it('kill -9 of a worker mid-unit: the unit is retried and the outputs equal a clean run', async () => {
    const { db, s } = await fresh();
    const { proc, lines } = startJsonRun(db, s);
    await until(
      () => workerEvents(lines).some((e) => e.track === 'extraction' && e.event.type === 'stage'),
      120_000,
      'an extraction unit to start',
    );
    const victim = workerEvents(lines).find(
      (e) => e.track === 'extraction' && e.event.type === 'unit_start',
    )!;
    process.kill(victim.pid, 'SIGKILL');
    const r = await proc;
    expect(r.exitCode).toBe(0);
    const exits = lines.filter((l) => l['type'] === 'child_exited' && l['pid'] === victim.pid);
    expect(exits).toEqual([expect.objectContaining({ signal: 'SIGKILL', expected: false })]);
    // The same unit ran again, as attempt 2, in a new worker.
    const retried = workerEvents(lines).filter(
      (e) =>
        e.event.type === 'unit_start' &&
        e.event['unit'] === victim.event['unit'] &&
        e.pid !== victim.pid,
    );
    expect(retried.length).toBeGreaterThanOrEqual(1);
    expect(lines.at(-1)).toMatchObject({ kind: 'summary', status: 'complete' });
    const expected = await cleanResult();
    expect(await tableDigests(db, PAIRS)).toEqual(expected.tables);
    expect(await parquetDigests(s.out)).toEqual(expected.files);
  });

  it('kill -9 of the main process: no worker is left, and the next run finishes the rest only', async () => {
    const { db, s } = await fresh();
    const { proc, lines } = startJsonRun(db, s);
    await until(
      () => workerEvents(lines).filter((e) => e.event.type === 'unit_done').length >= 2,
      120_000,
      'two units done',
    );
    proc.kill('SIGKILL');
    await proc;
    const pids = [...new Set(workerEvents(lines).map((e) => e.pid))];
    // Their stdin closes with the parent: each finishes or abandons its unit and exits.
    await until(() => pids.every((p) => !processAlive(p)), 60_000, 'orphaned workers to exit');
    const before = await db.pool.query(
      `SELECT track, unit, finished_at FROM bqx_monitor.unit_results WHERE status IN ('done', 'empty')`,
    );
    expect(before.rowCount).toBeGreaterThanOrEqual(2);
    const st = await runCli(runArgs(db, s, 'status', '--json'));
    expect(JSON.parse(st.stdout).run.status).toBe('stopped unexpectedly');

    const second = await runCli(runArgs(db, s, 'run', '--json'), { timeout: 240_000 });
    expect(second.exitCode).toBe(0);
    const ran = workerEvents(parseJsonLines(second.stdout))
      .filter((e) => e.event.type === 'unit_start')
      .map((e) => `${e.track}:${e.event['unit']}`);
    for (const row of before.rows) expect(ran).not.toContain(`${row.track}:${row.unit}`);
    const after = await db.pool.query(
      `SELECT track, unit, finished_at FROM bqx_monitor.unit_results WHERE (track, unit) IN
         (SELECT * FROM unnest($1::text[], $2::text[]))`,
      [before.rows.map((r) => r.track), before.rows.map((r) => r.unit)],
    );
    expect(after.rows.map((r) => r.finished_at.getTime()).sort()).toEqual(
      before.rows.map((r) => r.finished_at.getTime()).sort(),
    );
    const expected = await cleanResult();
    expect(await tableDigests(db, PAIRS)).toEqual(expected.tables);
    expect(await parquetDigests(s.out)).toEqual(expected.files);
  });

  it('two workers started by hand share the queue without doing a unit twice', async () => {
    const { db, s } = await fresh();
    const plan = await runCli(runArgs(db, s, 'plan', '--json'));
    expect(plan.exitCode).toBe(0);
    expect(JSON.parse(plan.stdout).tracks[1]).toMatchObject({ track: 'regression', queued: 4 });
    const worker = () =>
      execa('node', [CLI, '--out', s.out, 'worker', '--track', 'regression', '--until-empty'], {
        reject: false,
        env: { DATABASE_URL: db.url, PGHOST: '', PGDATABASE: '', PGUSER: '', PGPORT: '' },
      });
    const [a, b] = await Promise.all([worker(), worker()]);
    expect([a.exitCode, b.exitCode]).toEqual([0, 0]);
    const units = (out: unknown) =>
      String(out)
        .split('\n')
        .filter(Boolean)
        .map((l) => JSON.parse(l))
        .filter((e) => e.type === 'unit_start')
        .map((e) => e.unit as string);
    const all = [...units(a.stdout), ...units(b.stdout)].sort();
    expect(all).toEqual(['eurusd/2024-07', 'eurusd/2024-08', 'usdjpy/2024-07', 'usdjpy/2024-08']);
    expect(units(a.stdout).length).toBeGreaterThan(0);
    expect(units(b.stdout).length).toBeGreaterThan(0);
    const done = await db.pool.query(
      `SELECT count(*)::int AS n FROM bqx_monitor.unit_results WHERE track = 'regression' AND status = 'done'`,
    );
    expect(done.rows[0].n).toBe(4);
  });

  it('a unit that keeps failing is retried, then counted failed: exit 1, and verify lists it', async () => {
    const { db, s } = await fresh();
    // Passes the preflight, fails at write time: every row of EURUSD's regression output.
    const init = await runCli(['--db', db.url, 'init-db']);
    expect(init.exitCode).toBe(0);
    await db.pool.query('ALTER TABLE bqx.reg_rate_eurusd ADD CONSTRAINT reject_all CHECK (false)');
    const config = await writeConfig(
      JSON.stringify({
        run: { maxAttempts: 2, workers: { bollinger: 1, regression: 1, extraction: 1 } },
      }),
    );
    const r = await runCli(
      ['--db', db.url, '--data-dir', s.data, '--out', s.out, '--config', config, 'run', '--json'],
      { timeout: 240_000 },
    );
    expect(r.exitCode).toBe(1);
    const lines = parseJsonLines(r.stdout);
    expect(lines.at(-1)).toMatchObject({ kind: 'summary', status: 'failed' });
    const tracks = lines.at(-1)!['tracks'] as Array<Record<string, unknown>>;
    expect(tracks[1]).toMatchObject({ track: 'regression', done: 2, failed: 2 });
    expect(tracks[0]).toMatchObject({ track: 'bollinger', done: 4, failed: 0 });
    const failures = workerEvents(lines).filter((e) => e.event.type === 'unit_failed');
    expect(failures.map((e) => [e.event['unit'], e.event['attempt']]).sort()).toEqual([
      ['eurusd/2024-07', 1],
      ['eurusd/2024-07', 2],
      ['eurusd/2024-08', 1],
      ['eurusd/2024-08', 2],
    ]);
    expect(String(failures[0]!.event['message'])).toMatch(/reject_all/);
    const rows = await db.pool.query(
      `SELECT unit, attempts, error FROM bqx_monitor.unit_results WHERE status = 'failed' ORDER BY unit`,
    );
    expect(rows.rows.map((x) => [x.unit, x.attempts])).toEqual([
      ['eurusd/2024-07', 2],
      ['eurusd/2024-08', 2],
    ]);
    const v = await runCli(['--db', db.url, '--out', s.out, '--config', config, 'verify']);
    expect(v.exitCode).toBe(1);
    expect(v.stdout).toContain('regression eurusd/2024-07: failed: 23514');
  });

  it('a worker told SIGTERM finishes its unit and exits 0', async () => {
    const { db, s } = await fresh();
    expect((await runCli(runArgs(db, s, 'plan'))).exitCode).toBe(0);
    const lines: Array<Record<string, unknown>> = [];
    const split = new LineSplitter();
    const w = execa('node', [CLI, '--out', s.out, 'worker', '--track', 'regression'], {
      reject: false,
      buffer: false,
      // The unit may take longer than execa's 5 s before SIGKILL on a loaded machine.
      forceKillAfterDelay: false,
      env: { DATABASE_URL: db.url, PGHOST: '', PGDATABASE: '', PGUSER: '', PGPORT: '' },
    });
    w.stdout?.setEncoding('utf8');
    w.stdout?.on('data', (c: string) => {
      for (const l of split.push(c)) if (l) lines.push(JSON.parse(l));
    });
    await until(() => lines.some((e) => e['type'] === 'stage'), 60_000, 'a unit to start');
    const unit = lines.find((e) => e['type'] === 'unit_start')!['unit'];
    w.kill('SIGTERM');
    const r = await w;
    expect(r.exitCode).toBe(0);
    expect(lines).toContainEqual(expect.objectContaining({ type: 'unit_done', unit }));
    expect(lines.at(-1)).toMatchObject({ type: 'worker_exit', code: 0 });
    expect(String(lines.at(-1)!['reason'])).toMatch(/SIGTERM/);
    // It took no other unit after the signal.
    expect(lines.filter((e) => e['type'] === 'unit_start')).toHaveLength(1);
  });
});

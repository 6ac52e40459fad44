import { execa } from 'execa';
import { afterAll, describe, expect, it } from 'vitest';
import { LineSplitter } from '../../../src/orchestrator/lineSplitter.js';
import { CLI, runCli } from '../../support/cli.js';
import { createTestDatabase, type TestDatabase } from '../../support/testDatabase.js';

const cleanups: Array<() => Promise<unknown>> = [];
afterAll(async () => {
  for (const c of cleanups.reverse()) await c().catch(() => {});
});

/** Sessions waiting on a lock to write a unit's outcome. */
const outcomeWaits = async (db: TestDatabase) =>
  (
    await db.pool.query(
      `SELECT count(*)::int AS n FROM pg_stat_activity WHERE datname = $1
          AND wait_event_type = 'Lock' AND query LIKE '%INSERT INTO bqx_monitor.unit_results%'`,
      [db.name],
    )
  ).rows[0].n as number;

/*
 * How long a loaded machine may take to bring the worker up and its four units to their
 * write: the test waits for that state, however long it takes, within this bound (a worker
 * that exits meanwhile fails it at once).
 */
const HELD_WITHIN_MS = 300_000;

describe('a worker told to stop twice', { timeout: HELD_WITHIN_MS + 120_000 }, () => {
  it('stops at once: its units roll back, their jobs go back without an attempt, no stack trace', async () => {
    const db = await createTestDatabase();
    cleanups.push(() => db.drop());
    const env = { DATABASE_URL: db.url, PGHOST: '', PGDATABASE: '', PGUSER: '', PGPORT: '' };
    // Every output partition exists before the units run: a unit creating its partition
    // (CREATE TABLE … PARTITION OF) would wait on the parent behind another unit of its pair
    // held at its write, and never reach its own: three held instead of four.
    expect((await runCli(['init-db'], { env })).exitCode).toBe(0);
    expect((await runCli(['plan'], { env })).exitCode).toBe(0);
    // Every outcome waits: the unit has computed and written its partition, not committed.
    const blocker = await db.pool.connect();
    cleanups.push(async () => {
      await blocker.query('ROLLBACK').catch(() => {});
      blocker.release();
    });
    await blocker.query('BEGIN');
    await blocker.query('LOCK TABLE bqx_monitor.unit_results IN SHARE MODE');

    const lines: Array<Record<string, unknown>> = [];
    const split = new LineSplitter();
    // Four units at once: they hold every client of its pool (4) while they wait.
    const w = execa('node', [CLI, 'worker', '--track', 'bollinger', '--concurrency', '4'], {
      reject: false,
      forceKillAfterDelay: false,
      env,
    });
    cleanups.push(async () => {
      w.kill('SIGKILL');
      await w;
    });
    w.stdout?.setEncoding('utf8');
    w.stdout?.on('data', (c: string) => {
      for (const l of split.push(c)) if (l) lines.push(JSON.parse(l));
    });
    // Held means: four units started, and four sessions wait on the lock to write their
    // outcome. Each unit computes first, so the wait is for the machine, not for a clock;
    // a worker that exits meanwhile fails the test at once.
    let waiting = true;
    const exited = w.then((r) => {
      if (waiting) throw new Error(`the worker exited (${r.exitCode}) first: ${r.stderr}`);
    });
    const held = expect
      .poll(
        async () => {
          const started = lines.filter((e) => e['type'] === 'unit_start').length;
          return started === 4 ? await outcomeWaits(db) : -started;
        },
        { timeout: HELD_WITHIN_MS, interval: 250, message: 'four units held at their write' },
      )
      .toBe(4);
    await Promise.race([held, exited]).finally(() => {
      waiting = false;
    });
    const units = lines.filter((e) => e['type'] === 'unit_start').map((e) => e['unit'] as string);
    expect(units).toHaveLength(4);

    // Two signals of different kinds, as `stop --now` sends them.
    w.kill('SIGTERM');
    w.kill('SIGINT');
    const r = await w;
    expect([130, 143]).toContain(r.exitCode);
    expect(r.stderr).not.toMatch(/\n\s+at |Error:/);
    expect(lines.at(-1)).toMatchObject({ type: 'worker_exit', code: r.exitCode });
    expect(String(lines.at(-1)!['reason'])).toMatch(
      /^a second signal \(SIG(TERM|INT)\): stopped at once/,
    );
    expect(lines.some((e) => e['type'] === 'unit_done')).toBe(false);

    // Its jobs are back in the queue, not counted as attempts; it left the registry.
    const jobs = await db.pool.query(
      `SELECT attempts, locked_at FROM graphile_worker._private_jobs WHERE key = ANY($1::text[])`,
      [units.map((u) => `bollinger:${u}`)],
    );
    expect(jobs.rows).toEqual(Array(4).fill({ attempts: 0, locked_at: null }));
    const registered = await db.pool.query(
      'SELECT count(*)::int AS n FROM bqx_monitor.workers WHERE pid = $1',
      [w.pid],
    );
    expect(registered.rows[0].n).toBe(0);

    // Nothing of the units was kept: no outcome, their partitions as they were (empty).
    await blocker.query('ROLLBACK');
    const outcomes = await db.pool.query(
      `SELECT count(*)::int AS n FROM bqx_monitor.unit_results WHERE track = 'bollinger'`,
    );
    expect(outcomes.rows[0].n).toBe(0);
    for (const unit of units) {
      const [pair, month] = unit.split('/') as [string, string];
      const rows = await db.pool.query(
        `SELECT count(*)::int AS n FROM bqx.${`bollinger_bqx_${pair}_${month.replace('-', '_')}`}`,
      );
      expect(rows.rows[0].n).toBe(0);
    }
  });
});

import { mkdtemp, readFile, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { execa } from 'execa';
import { afterAll, describe, expect, it } from 'vitest';
import { createPool } from '../../src/db/connection/pool.js';
import { holdFollowRow } from '../../src/orchestrator/run/followPresence.js';
import { migrateAll } from '../../src/orchestrator/run/migrateAll.js';
import { CLI } from '../support/cli.js';
import { writeConfig } from '../support/config.js';
import { changeSources, septemberRows, sourceTables } from '../support/sourceChanges.js';
import { createTestDatabase } from '../support/testDatabase.js';
import { type TmuxSession, tmuxSession } from '../support/tmux.js';

const SCOPE = {
  pairs: ['eurusd'],
  months: {
    bollinger: { from: '2024-07', to: '2024-09' },
    regression: { from: '2024-07', to: '2024-09' },
  },
  run: { workers: { bollinger: 1, regression: 1, extraction: 1 }, snapshotSeconds: 1 },
};

const sessions: TmuxSession[] = [];
const cleanups: Array<() => Promise<unknown>> = [];
afterAll(async () => {
  for (const s of sessions) await s.kill();
  for (const c of cleanups.reverse()) await c().catch(() => {});
});

describe('run --follow on a real terminal (tmux)', { timeout: 900_000 }, () => {
  it('shows each run on the dashboard and the waiting line between; q ends it with 130', async () => {
    const db = await createTestDatabase();
    const dir = await mkdtemp(path.join(os.tmpdir(), 'bqx-follow-tty-'));
    cleanups.push(
      () => db.drop(),
      () => rm(dir, { recursive: true, force: true }),
    );
    const config = await writeConfig(JSON.stringify(SCOPE));
    const raw = path.join(dir, 'raw.out');
    const channel = `bqx-follow-tty-${process.pid}`;
    const s = await tmuxSession(
      `tmux wait-for ${channel}; env DATABASE_URL='${db.url}' LANG=C.UTF-8 TERM=xterm-256color node ${CLI} --data-dir ${dir}/data --out ${dir}/out --config ${config} run --follow 5s; echo EXIT=$?; sleep 120`,
    );
    sessions.push(s);
    await execa('tmux', ['pipe-pane', '-O', '-t', s.name, `cat >> ${raw}`]);
    await execa('tmux', ['wait-for', '-S', channel]);

    // The first run on the dashboard, then the waiting screen: nothing changed yet.
    await s.waitFor(
      (screen) => screen.includes('waiting for new data') && screen.includes('none yet'),
      'the first wait',
      600_000,
    );
    const first = await s.screen();
    expect(first).toMatch(/run \d{8}-\d{6}-[0-9a-f]{4} complete \(exit 0\)/);
    expect(await readFile(raw, 'latin1')).toContain('Track 2 Regression');

    // September arrives: the next check starts a run that computes it, then it waits again.
    await changeSources(
      db,
      sourceTables('eurusd').map((t) => t.table),
      await septemberRows(db, 'eurusd'),
    );
    const again = await s.waitFor(
      (screen) => screen.includes('waiting for new data') && screen.includes('eurusd 2024-09'),
      'the wait after the run that computed September',
      600_000,
    );
    const runId = /run (\d{8}-\d{6}-[0-9a-f]{4}) complete/.exec(again)?.[1];
    expect(runId).toBeDefined();
    expect(runId).not.toBe(/run (\d{8}-\d{6}-[0-9a-f]{4}) complete/.exec(first)?.[1]);
    const done = await db.pool.query(
      `SELECT count(*)::int AS n FROM bqx_monitor.unit_history
        WHERE run_id = $1 AND unit = 'eurusd/2024-09' AND status = 'done'`,
      [runId],
    );
    expect(done.rows[0].n).toBeGreaterThan(0);

    // `q` asks, `s` confirms: the follow ends with 130, its end said on the normal screen.
    await s.keys('q');
    await s.waitFor((screen) => screen.includes('Stop following?'), 'the question');
    await s.keys('s');
    const end = await s.waitFor((screen) => /EXIT=\d+/.test(screen), 'the follow to exit');
    expect(end).toContain('EXIT=130');
    expect(end).toContain('the follow stopped (exit 130) after 2 cycle(s)');
  });

  it('attach while a follow on another host waits: its waiting line, redrawn; q leaves', async () => {
    const db = await createTestDatabase();
    cleanups.push(() => db.drop());
    const pg = createPool({ connectionString: db.url });
    cleanups.push(() => pg.pool.end());
    await migrateAll(pg);
    const follow = await holdFollowRow(pg.withPgClient, {
      followId: 'far-follow',
      intervalMs: 300_000,
      pollMs: 100,
      host: 'far-away-host',
      pid: 4_000_000,
    });
    cleanups.push(() => follow.close());
    const nextCheck = Date.now() + 300_000;
    follow.update({ waiting: { nextCheck }, cycles: 1, lastRunId: '20261206-101500-4f2a' });
    const s = await tmuxSession(
      `env DATABASE_URL='${db.url}' LANG=C.UTF-8 TERM=xterm-256color node ${CLI} attach; echo EXIT=$?; sleep 120`,
    );
    sessions.push(s);
    await s.waitFor(
      (screen) => screen.includes('waiting for new data') && screen.includes('far-away-host'),
      'the waiting follow',
    );
    // The follow saw a change: the view redraws from its row.
    const lastChange = { at: Date.now(), unit: 'eurusd/2024-12' };
    follow.update({ waiting: { nextCheck, lastChange }, cycles: 2, lastRunId: 'r2' });
    await s.waitFor((screen) => screen.includes('eurusd 2024-12'), 'the new waiting line');
    await s.keys('q');
    await s.waitFor((screen) => screen.includes('Leave?'), 'the question');
    await s.keys('d');
    const end = await s.waitFor((screen) => /EXIT=\d+/.test(screen), 'the view to exit');
    expect(end).toContain('left; the follow goes on');
    expect(end).toContain('EXIT=0');
    expect(follow.stopRequested.aborted).toBe(false);
  });
});

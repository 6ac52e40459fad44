import { readFile, mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { execa } from 'execa';
import { afterAll, describe, expect, it } from 'vitest';
import { CLI } from '../support/cli.js';
import { writeConfig } from '../support/config.js';
import { createTestDatabase } from '../support/testDatabase.js';
import { type TmuxSession, tmuxSession } from '../support/tmux.js';

const BEL = '\u0007';
const ESC = '\u001b';
const sessions: TmuxSession[] = [];
const cleanups: Array<() => Promise<unknown>> = [];
afterAll(async () => {
  for (const s of sessions) await s.kill();
  for (const c of cleanups.reverse()) await c().catch(() => {});
});

/**
 * `bqx-monitor [run] [flags]` on a real terminal (tmux), its raw output kept by pipe-pane
 * (escapes included): started, watched to its end, left with `q`. Returns that output.
 */
async function watchRunToItsEnd(flags: string): Promise<string> {
  const db = await createTestDatabase();
  const dir = await mkdtemp(path.join(os.tmpdir(), 'bqx-alert-'));
  cleanups.push(
    () => db.drop(),
    () => rm(dir, { recursive: true, force: true }),
  );
  const config = await writeConfig(
    JSON.stringify({
      pairs: ['eurusd'],
      run: { workers: { bollinger: 1, regression: 1, extraction: 1 } },
    }),
  );
  const raw = path.join(dir, 'raw.out');
  // Started by the shell only once the pane's output is piped (a `wait-for` channel).
  const channel = `bqx-alert-${process.pid}-${sessions.length}`;
  const s = await tmuxSession(
    `tmux wait-for ${channel}; env DATABASE_URL='${db.url}' LANG=C.UTF-8 TERM=xterm-256color CI=true node ${CLI} --data-dir ${dir}/data --out ${dir}/out --config ${config} run ${flags}; echo EXIT=$?; sleep 120`,
  );
  sessions.push(s);
  await execa('tmux', ['pipe-pane', '-O', '-t', s.name, `cat >> ${raw}`]);
  await execa('tmux', ['wait-for', '-S', channel]);
  // The run ends; the dashboard says so (its footer offers to quit), then `q` leaves it.
  await s.waitFor((screen) => screen.includes('q quit'), 'the run to end', 240_000);
  await s.keys('q');
  await s.waitFor((screen) => /EXIT=\d+/.test(screen), 'the view to exit', 60_000);
  expect(await s.screen()).toContain('EXIT=0');
  await execa('tmux', ['pipe-pane', '-t', s.name]);
  return readFile(raw, 'latin1');
}

describe('the end-of-run alert on a real terminal (tmux)', { timeout: 600_000 }, () => {
  it('rings and sends OSC 9 / 777 through tmux when the run ends; --quiet does not', async () => {
    const loud = await watchRunToItsEnd('');
    expect(loud).toContain(BEL);
    // Inside tmux ($TMUX is set) the OSCs travel in its passthrough.
    expect(loud).toMatch(
      new RegExp(
        `${ESC}Ptmux;${ESC}${ESC}\\]9;bqx-monitor: run \\d{8}-\\d{6}-[0-9a-f]{4} complete \\(exit 0\\)${BEL}${ESC}\\\\`,
      ),
    );
    expect(loud).toContain(`${ESC}${ESC}]777;notify;bqx-monitor;run `);
    // Once: one bell, one of each.
    expect(loud.split(']9;bqx-monitor').length - 1).toBe(1);

    const quiet = await watchRunToItsEnd('--quiet');
    expect(quiet.length).toBeGreaterThan(1000);
    expect(quiet).not.toContain(BEL);
    expect(quiet).not.toContain(']9;');
    expect(quiet).not.toContain(']777;');
  });
});

import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { execa } from 'execa';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CLI } from '../support/cli.js';
import { writeConfig } from '../support/config.js';
import { createTestDatabase, type TestDatabase } from '../support/testDatabase.js';

const SESSION = `bqx-e2e-${process.pid}`;

const tmux = (...args: string[]) => execa('tmux', args, { reject: false });
const screen = async () => String((await tmux('capture-pane', '-p', '-t', SESSION)).stdout);

async function waitFor(test: (s: string) => boolean, ms: number, what: string): Promise<string> {
  const t0 = Date.now();
  let s = '';
  while (Date.now() - t0 < ms) {
    s = await screen();
    if (test(s)) return s;
    await new Promise((r) => setTimeout(r, 200));
  }
  throw new Error(`timed out waiting for ${what}; screen:\n${s}`);
}

/** `done/total` of a track's line, e.g. Track 2 → [1, 4]. */
function counts(s: string, title: string): [number, number] | undefined {
  const line = s.split('\n').find((l) => l.includes(title));
  const m = line?.match(/(\d+)\/(\d+) (units|pairs)/);
  return m ? [Number(m[1]), Number(m[2])] : undefined;
}

describe('the dashboard in a real terminal (tmux)', { timeout: 300_000 }, () => {
  let db: TestDatabase;
  let dir: string;
  beforeAll(async () => {
    db = await createTestDatabase();
    dir = await mkdtemp(path.join(os.tmpdir(), 'bqx-tmux-'));
  });
  afterAll(async () => {
    await tmux('kill-session', '-t', SESSION);
    await db?.drop();
    await rm(dir, { recursive: true, force: true });
  });

  it('shows progress, pauses and resumes a track with p, finishes, and quits cleanly with q', async () => {
    const config = await writeConfig(
      JSON.stringify({ run: { workers: { bollinger: 1, regression: 1, extraction: 1 } } }),
    );
    // CI=true: a user's environment may say CI; the terminal still gets the live screen.
    const command = [
      `env DATABASE_URL='${db.url}' LANG=C.UTF-8 TERM=xterm-256color CI=true`,
      `node ${CLI} --data-dir ${dir}/data --out ${dir}/out --config ${config} run;`,
      'echo EXIT=$?; sleep 120',
    ].join(' ');
    const started = await tmux(
      'new-session',
      '-d',
      '-s',
      SESSION,
      '-x',
      '100',
      '-y',
      '32',
      command,
    );
    expect(started.exitCode).toBe(0);
    await waitFor((s) => s.includes('[RUNNING]'), 120_000, 'the dashboard');
    // Select Track 2 (keys typed before the dashboard takes the keyboard are the
    // terminal's, so press until the selection moves), then pause it.
    const t0 = Date.now();
    while (!(await screen()).includes('▶ Track 2')) {
      if (Date.now() - t0 > 15_000) throw new Error(`j did not select Track 2:\n${await screen()}`);
      await tmux('send-keys', '-t', SESSION, 'j');
      await new Promise((r) => setTimeout(r, 700));
    }
    await tmux('send-keys', '-t', SESSION, 'p');
    const paused = await waitFor(
      (s) => /Track 2 Regression \[PAUSED\]/.test(s),
      10_000,
      'Track 2 paused',
    );
    const atPause = counts(paused, 'Track 2 Regression');
    expect(atPause).toBeDefined();
    // While paused its count does not move, though the other tracks go on.
    await new Promise((r) => setTimeout(r, 4000));
    const later = await screen();
    expect(later).toMatch(/Track 2 Regression \[PAUSED\]/);
    expect(counts(later, 'Track 2 Regression')).toEqual(atPause);
    await tmux('send-keys', '-t', SESSION, 'p');
    await waitFor((s) => !/\[PAUSED\]/.test(s), 10_000, 'Track 2 resumed');
    // Progress moves, then the run completes and its summary stays on screen.
    // (A capture can land mid-redraw: wait for a whole final frame.)
    const done = await waitFor(
      (s) => s.includes('Run complete') && /Overall .* 100\.0% +12\/12 units/.test(s),
      240_000,
      'the run to complete',
    );
    expect(counts(done, 'Track 1 Bollinger')).toEqual([6, 6]);
    expect(counts(done, 'Track 2 Regression')).toEqual([4, 4]);
    expect(counts(done, 'Track 3 Extraction')).toEqual([2, 2]);
    await tmux('send-keys', '-t', SESSION, 'q');
    const end = await waitFor((s) => s.includes('EXIT='), 30_000, 'the program to exit');
    expect(end).toContain('EXIT=0');
    // The terminal is restored: cursor visible, nothing left running.
    const cursor = await tmux('display', '-p', '-t', SESSION, '#{cursor_flag}');
    expect(String(cursor.stdout).trim()).toBe('1');
    // (The main process has exited: EXIT= is printed. Its workers carry `--out DIR worker`.)
    const left = await execa('pgrep', ['-f', `--out ${dir}/out worker`], { reject: false });
    expect(String(left.stdout).trim()).toBe('');
  });
});

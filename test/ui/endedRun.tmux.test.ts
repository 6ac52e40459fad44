import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { CLI } from '../support/cli.js';
import { writeConfig } from '../support/config.js';
import { processesMatching } from '../support/processes.js';
import { createTestDatabase } from '../support/testDatabase.js';
import { type TmuxSession, tmuxSession } from '../support/tmux.js';

const sessions: TmuxSession[] = [];
const cleanups: Array<() => Promise<unknown>> = [];
afterAll(async () => {
  for (const s of sessions) await s.kill();
  for (const c of cleanups.reverse()) await c().catch(() => {});
});

const header = (screen: string) => screen.split('\n').find((l) => l.startsWith('bqx-monitor'));

/** The header's time of day, in seconds since midnight (undefined: no header drawn). */
function timeOfDay(screen: string): number | undefined {
  const m = header(screen)?.match(/(\d\d):(\d\d):(\d\d) UTC/);
  return m ? Number(m[1]) * 3600 + Number(m[2]) * 60 + Number(m[3]) : undefined;
}

/** Seconds from one time of day to a later one (past midnight too). */
const secondsAfter = (from: number, to: number) => (to - from + 86_400) % 86_400;

/** A whole final frame: the header, the three tracks, the overall line, the run's end. */
const complete = (x: string) =>
  timeOfDay(x) !== undefined &&
  x.includes('Run complete') &&
  /Overall .* 100\.0% +12\/12 units/.test(x) &&
  ['Track 1 Bollinger', 'Track 2 Regression', 'Track 3 Extraction'].every((t) => x.includes(t));

/**
 * What a view shows of the run's figures: the header's elapsed time (its time of day left
 * out: that goes on), each track's details (elapsed, rate, sparkline, ETA), the overall
 * line and the hosts line.
 */
function figures(screen: string): string[] {
  const lines = screen.split('\n');
  return [
    header(screen)!.replace(/\d\d:\d\d:\d\d UTC/, 'HH:MM:SS UTC'),
    ...lines.filter((l) => /elapsed|u\/s|units\/s|Overall|hosts:/.test(l)),
  ];
}

describe('an ended run in a real terminal (tmux)', { timeout: 360_000 }, () => {
  it('shows the same figures some ticks after its end as at its end', async () => {
    const db = await createTestDatabase();
    const dir = await mkdtemp(path.join(os.tmpdir(), 'bqx-ended-'));
    const config = await writeConfig(
      JSON.stringify({ run: { workers: { bollinger: 1, regression: 1, extraction: 1 } } }),
    );
    cleanups.push(
      () => db.drop(),
      () => rm(dir, { recursive: true, force: true }),
      () => rm(path.dirname(config), { recursive: true, force: true }),
    );
    const out = `${dir}/out`;
    const args = `--data-dir ${dir}/data --out ${out} --config ${config}`;
    const s = await tmuxSession(
      `env DATABASE_URL='${db.url}' LANG=C.UTF-8 TERM=xterm-256color CI=true node ${CLI} ${args} run; echo EXIT=$?; sleep 120`,
    );
    sessions.push(s);
    const first = await s.waitFor(complete, 'the run to complete', 240_000);
    // A frame drawn after the one that first showed the end (a capture may land mid-redraw).
    const t0 = timeOfDay(first)!;
    const atEnd = await s.waitFor(
      (x) => complete(x) && secondsAfter(t0, timeOfDay(x)!) >= 1,
      'a frame after the end',
      30_000,
    );
    expect(header(atEnd)).toMatch(/\d\d:\d\d:\d\d +\d\d:\d\d:\d\d UTC$/);
    expect(figures(atEnd).some((l) => /elapsed \d\d:\d\d:\d\d/.test(l))).toBe(true);
    // The view ticks on: wait for a frame drawn at least 6 s (6 ticks, 3 redraws) later.
    const t1 = timeOfDay(atEnd)!;
    const later = await s.waitFor(
      (x) => complete(x) && secondsAfter(t1, timeOfDay(x)!) >= 6,
      'a frame 6 s after the end',
      60_000,
    );
    expect(figures(later)).toEqual(figures(atEnd));
    await s.keys('q');
    const end = await s.waitFor((x) => x.includes('EXIT='), 'the program to exit', 30_000);
    expect(end).toContain('EXIT=0');
    await expect
      .poll(() => processesMatching(`--out ${out} supervise`), { timeout: 30_000 })
      .toEqual([]);
    expect(await processesMatching(`--out ${out} worker`)).toEqual([]);
  });
});

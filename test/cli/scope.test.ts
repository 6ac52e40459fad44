import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { nextRunNote } from '../../src/cli/actions/run.js';
import { supervisorArgs } from '../../src/cli/live/background.js';
import type { Context } from '../../src/cli/context.js';
import { parseScopeFlags } from '../../src/config/scopeFlags.js';
import { runCli } from '../support/cli.js';
import { writeConfig } from '../support/config.js';
import { parseJsonLines } from '../support/pipeline.js';
import { createTestDatabase, type TestDatabase } from '../support/testDatabase.js';

const CONFIG = JSON.stringify({ run: { snapshotSeconds: 1 } });

describe('--tracks, --pairs, --from, --to (real PostgreSQL, real processes)', {
  timeout: 300_000,
}, () => {
  let db: TestDatabase;
  let dir: string;
  let args: string[];
  beforeAll(async () => {
    db = await createTestDatabase();
    dir = await mkdtemp(path.join(os.tmpdir(), 'bqx-scope-'));
    args = ['--db', db.url, '--data-dir', path.join(dir, 'data'), '--out', path.join(dir, 'out')];
    args.push('--config', await writeConfig(CONFIG));
  });
  afterAll(async () => {
    await db?.drop();
    await rm(dir, { recursive: true, force: true });
  });

  it('refuses a bad value on every command, saying what was wrong, exit 2', async () => {
    const bad: Array<[string[], string]> = [
      [['--tracks', 'bolinger'], '--tracks: "bolinger" is not a track'],
      [['--pairs', 'EURUSD'], '--pairs: "EURUSD" is not a pair'],
      [['--pairs', 'gbpusd'], '--pairs: "gbpusd" not among the configured pairs (eurusd, usdjpy)'],
      [['--from', '2024-13'], '--from 2024-13: month 13 is out of range'],
      [['--from', '2024-09', '--to', '2024-08'], '--from 2024-09 is after --to 2024-08'],
      [['--from', '2030-01'], '--from/--to 2030-01..: no configured month is in it'],
    ];
    // Every value on the default command; two of them, in turn, on each other command.
    const commands = [['run', '--json'], ['plan'], ['verify'], ['status']];
    const cases = [
      ...bad.map((b) => [[], b] as const),
      ...commands.flatMap((c, i) => [[c, bad[i]!] as const, [c, bad[i + 2]!] as const]),
    ];
    for (const [command, [flags, message]] of cases) {
      const line = [...command, ...flags, ...args];
      const r = await runCli(line);
      expect(r.exitCode, line.join(' ')).toBe(2);
      expect(r.stderr, line.join(' ')).toContain(`bqx-monitor: ${message}`);
      expect(r.stderr).not.toMatch(/\n\s+at /);
    }
  });

  it('runs only the units of one pair and one month, and narrows status and verify', async () => {
    // The default command, without its name: Track 3 is narrowed by --pairs alone.
    const run = await runCli(['--json', '--pairs', 'eurusd', '--from', '2024-08', ...args], {
      timeout: 240_000,
    });
    expect(run.exitCode, run.stderr).toBe(0);
    expect(parseJsonLines(run.stdout).some((l) => l.kind === 'summary')).toBe(true);
    const ran = await db.pool.query(
      'SELECT track, unit FROM bqx_monitor.unit_results ORDER BY track, unit',
    );
    expect(ran.rows).toEqual([
      { track: 'bollinger', unit: 'eurusd/2024-08' },
      { track: 'bollinger', unit: 'eurusd/2024-09' },
      { track: 'extraction', unit: 'eurusd' },
      { track: 'regression', unit: 'eurusd/2024-08' },
    ]);

    const status = await runCli(['status', '--json', '--tracks', 'bollinger', ...args]);
    expect(status.exitCode, status.stderr).toBe(0);
    expect(JSON.parse(status.stdout).tracks.map((t: { track: string }) => t.track)).toEqual([
      'bollinger',
    ]);
    const month = await runCli(['status', '--json', '--to', '2024-08', ...args]);
    const rows = JSON.parse(month.stdout).tracks.map((t: Record<string, unknown>) => ({
      track: t['track'],
      total: t['total'],
      done: t['done'],
    }));
    expect(rows).toEqual([
      { track: 'bollinger', total: 1, done: 1 },
      { track: 'regression', total: 1, done: 1 },
      { track: 'extraction', total: 1, done: 1 },
    ]);

    const scoped = await runCli(['verify', '--pairs', 'eurusd', '--from', '2024-08', ...args]);
    expect(scoped.exitCode, scoped.stdout).toBe(0);
    const whole = await runCli(['verify', ...args]);
    expect(whole.exitCode).toBe(1);
  });

  it('plans 0 units of tracks left out; --recompute of such a track forces nothing', async () => {
    const r = await runCli(
      ['plan', '--json', '--tracks', 'bollinger', '--recompute', 'regression', ...args],
      { timeout: 120_000 },
    );
    expect(r.exitCode, r.stderr).toBe(0);
    expect(r.stderr).toContain(
      '--recompute regression forces nothing: --tracks bollinger leaves regression out',
    );
    const totals = JSON.parse(r.stdout).tracks.map((t: { track: string; total: number }) => [
      t.track,
      t.total,
    ]);
    expect(totals).toEqual([
      ['bollinger', 6],
      ['regression', 0],
      ['extraction', 0],
    ]);
  });
});

describe('scope flags while a run is live', () => {
  it('reach the background supervisor as they were given', () => {
    const narrowing = parseScopeFlags({ pairs: 'eurusd', from: '2024-08', tracks: 'bollinger' });
    const ctx = {
      dataDir: '/d',
      outDir: '/o',
      settings: { narrowing },
    } as unknown as Context;
    const words = supervisorArgs(ctx, {}, '20261206-000000-abcd', new Set(['bollinger']));
    expect(words.slice(words.indexOf('supervise'))).toEqual([
      'supervise',
      '--run-id',
      '20261206-000000-abcd',
      '--recompute',
      'bollinger',
      '--tracks',
      'bollinger',
      '--pairs',
      'eurusd',
      '--from',
      '2024-08',
    ]);
  });

  it('are said to apply to the next run', () => {
    expect(nextRunNote(new Set(), undefined)).toBeUndefined();
    expect(nextRunNote(new Set(['bollinger']), undefined)).toBe(
      '--recompute applies to the next run',
    );
    expect(
      nextRunNote(new Set(['bollinger']), parseScopeFlags({ pairs: 'eurusd', to: '2024-09' })),
    ).toBe('--recompute, --pairs and --to apply to the next run');
  });
});

import { describe, expect, it } from 'vitest';
import { problemLines } from '../../src/cli/commands/doctor.js';
import { runCli } from '../support/cli.js';
import { makeDataDir, removeDataDir } from '../support/dataDir.js';

describe('bqx-monitor with no arguments', () => {
  it('seeds an empty embedded database with the demo and checks exactly what it seeded', async () => {
    const dataDir = await makeDataDir('bqx-run-');
    try {
      const r = await runCli(['--data-dir', dataDir], { timeout: 180_000 });
      expect(r.exitCode, r.stderr).toBe(0);
      expect(r.stderr).toContain('seeding the demo dataset');
      expect(r.stdout).toContain('3 pairs (eurusd, gbpusd, usdjpy); bollinger 2024-07..2024-10');
      expect(r.stdout).toContain('the database can run all three tracks');
      // A second run reuses the data: no seeding.
      const again = await runCli(['--data-dir', dataDir]);
      expect(again.exitCode).toBe(0);
      expect(again.stderr).not.toContain('seeding');
    } finally {
      await removeDataDir(dataDir);
    }
  }, 240_000);
});

describe('the doctor report', () => {
  it('names every missing table, one line per pair', () => {
    const lines = problemLines([
      { kind: 'missing-table', severity: 'problem', table: 'm1_audcad', suggestions: [] },
      { kind: 'missing-table', severity: 'problem', table: 'bqx_audcad', suggestions: [] },
      {
        kind: 'missing-column',
        severity: 'problem',
        table: 'm1_eurusd',
        column: 'time',
        suggestions: ['ts'],
      },
      { kind: 'missing-table', severity: 'problem', table: 'm1_cadchf', suggestions: [] },
      {
        kind: 'missing-table',
        severity: 'problem',
        table: 'm1_eurjpy',
        suggestions: ['m1_eurjpy_old'],
      },
    ]);
    expect(lines).toEqual([
      'missing tables of audcad (2): m1_audcad, bqx_audcad',
      'missing column m1_eurusd.time (did you mean "ts"?)',
      'missing table m1_cadchf',
      'missing table m1_eurjpy (did you mean "m1_eurjpy_old"?)',
    ]);
  });
});

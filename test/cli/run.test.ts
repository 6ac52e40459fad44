import { describe, expect, it } from 'vitest';
import { problemLines } from '../../src/cli/actions/doctor.js';
import { runCli } from '../support/cli.js';
import { makeDataDir, removeDataDir } from '../support/dataDir.js';

describe('bqx-monitor with no arguments', () => {
  it('seeds an empty embedded database with the demo, checks it and runs every unit', async () => {
    const dataDir = await makeDataDir('bqx-run-');
    const out = await makeDataDir('bqx-run-out-');
    try {
      const r = await runCli(['--data-dir', dataDir, '--out', out], { timeout: 360_000 });
      expect(r.exitCode, r.stderr).toBe(0);
      expect(r.stderr).toContain('seeding the demo dataset');
      // Not a terminal: plain lines, and a hint about --json.
      expect(r.stderr).toContain('use --json');
      expect(r.stdout).toContain('3 pairs (eurusd, gbpusd, usdjpy); bollinger 2024-07..2024-10');
      expect(r.stdout).toContain('the database can run all three tracks');
      expect(r.stdout).toContain('extraction: USDJPY: complete, 95,040 rows');
      expect(r.stdout).toMatch(
        /progress 24\/24 \(bollinger 12\/12 complete, regression 9\/9 complete, extraction 3\/3 complete\)/,
      );
      // What this run did, beside where its events are kept: 9 + 9 units with data wrote
      // 9 Bollinger and 18 regression partitions, and 3 Parquet files.
      expect(r.stdout).toMatch(
        /run \S+ complete \(exit 0\); this run: 21 done, 3 no data, 0 failed · 27 partition\(s\), 3 file\(s\) · [\d.]+ [MG]B; event log: /,
      );
      // A second run reuses the data and the results: no seeding, nothing to redo.
      const again = await runCli(['--data-dir', dataDir, '--out', out]);
      expect(again.exitCode).toBe(0);
      expect(again.stderr).not.toContain('seeding');
      expect(again.stdout).not.toContain(': complete,');
      expect(again.stdout).toMatch(
        /this run: 0 done, 0 no data, 0 failed · 0 partition\(s\), 0 file\(s\)/,
      );
    } finally {
      await removeDataDir(dataDir);
      await removeDataDir(out);
    }
  }, 480_000);
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

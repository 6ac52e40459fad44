import { describe, expect, it } from 'vitest';
import { reasonCounts, reasonKind } from '../../../src/orchestrator/report/reportReasons.js';
import { formatReport, formatReportMarkdown } from '../../../src/orchestrator/report/reportText.js';
import { type OutcomeRow, summarizeRun } from '../../../src/orchestrator/report/runReport.js';
import { reportLines } from '../../../src/ui/panels/RunReport.js';

describe('the kind of a reason', () => {
  // The reasons the plan gives (docs/freshness.md), grouped by the text before their figures.
  it.each([
    ['never run', 'never run'],
    ['failed', 'failed'],
    ['forced (--recompute)', 'forced'],
    ['new rows (31,560 now, none before)', 'new rows'],
    ['new rows in 2024-09 (31,560 now, none before)', 'new rows'],
    ['rows changed (3 minutes deleted)', 'rows changed'],
    ['values changed', 'values changed'],
    ['values changed in 2024-08', 'values changed'],
    ['look-back changed (2024-08 changed)', 'look-back changed'],
    ['feature code v1 → v2', 'feature code v1 → v2'],
    ['settings changed (snappy → zstd)', 'settings changed'],
    ['output missing', 'output missing'],
    [null, 'unknown'],
    [undefined, 'unknown'],
  ])('of %j is %j', (reason, kind) => expect(reasonKind(reason)).toBe(kind));

  it('counts units per kind, the most first, then by name', () => {
    const counts = reasonCounts([
      'values changed',
      'new rows (10 now, none before)',
      'never run',
      'new rows (20 now, 10 before)',
      null,
      'never run',
    ]);
    expect(Object.entries(counts)).toEqual([
      ['never run', 2],
      ['new rows', 2],
      ['unknown', 1],
      ['values changed', 1],
    ]);
  });
});

const row = (track: string, unit: string, reason: string | null): OutcomeRow => ({
  track,
  unit,
  status: 'done',
  rows: 10,
  bytes: 100,
  ms: 50,
  error: null,
  attempts: 1,
  host: 'vm',
  reason,
});

/** A run that recomputed stale units of Track 1, and one unit of Track 2 twice. */
function report() {
  const bollinger = [
    row('bollinger', 'eurusd/2024-07', 'never run'),
    row('bollinger', 'eurusd/2024-08', 'never run'),
    row('bollinger', 'eurusd/2024-09', 'new rows (31,560 now, none before)'),
    row('bollinger', 'usdjpy/2024-07', 'values changed'),
  ];
  // A retried unit counts once, by its last outcome; a row from before reasons is unknown.
  const regression = [
    {
      ...row('regression', 'eurusd/2024-08', 'rows changed (10 minutes deleted)'),
      status: 'failed' as const,
    },
    row('regression', 'eurusd/2024-08', 'rows changed (10 minutes deleted)'),
    row('regression', 'eurusd/2024-09', null),
  ];
  return summarizeRun({
    run: {
      runId: '20261206-170000-abcd',
      status: 'complete',
      startedAt: new Date('2026-12-06T17:00:00Z'),
      finishedAt: new Date('2026-12-06T17:01:00Z'),
      host: 'vm',
      exitCode: 0,
      message: null,
      units: {
        bollinger: bollinger.map((r) => r.unit),
        regression: ['eurusd/2024-08', 'eurusd/2024-09'],
        extraction: [],
      },
    },
    source: 'history',
    outcomes: [...bollinger, ...regression],
  });
}

describe('why the units of a run ran', () => {
  it('counts each track’s units by the kind of their reason', () => {
    const r = report();
    const by = Object.fromEntries(r.tracks.map((t) => [t.track, t.reasons]));
    expect(by['bollinger']).toEqual({ 'never run': 2, 'new rows': 1, 'values changed': 1 });
    expect(by['regression']).toEqual({ 'rows changed': 1, unknown: 1 });
    expect(by['extraction']).toEqual({});
    // report --json prints the summary as it is.
    expect(JSON.parse(JSON.stringify(r)).tracks[0].reasons).toEqual(by['bollinger']);
  });

  it('says it in the text and Markdown reports, a line per track that ran units', () => {
    const text = formatReport(report());
    expect(text).toContain('why the units ran');
    expect(text).toMatch(/^ {2}bollinger +2 never run, 1 new rows, 1 values changed$/m);
    expect(text).toMatch(/^ {2}regression +1 rows changed, 1 unknown$/m);
    expect(text).not.toMatch(/^ {2}extraction +\d/m);
    const md = formatReportMarkdown(report());
    expect(md).toContain('- bollinger: 2 never run, 1 new rows, 1 values changed');
    expect(md).toContain('- regression: 1 rows changed, 1 unknown');
  });

  it("says it in the dashboard's report panel only where a line fits whole", () => {
    const why = (width: number, lines: number) =>
      reportLines(report(), width, lines)
        .map((l) => l.text)
        .filter((t) => t.startsWith('  why '));
    expect(why(80, 30)).toEqual([
      '  why bollinger: 2 never run, 1 new rows, 1 values changed',
      '  why regression: 1 rows changed, 1 unknown',
    ]);
    expect(why(50, 30)).toEqual(['  why regression: 1 rows changed, 1 unknown']);
    // Rows are given to the figures, hosts and slowest units first.
    expect(why(80, 5)).toEqual([]);
  });
});

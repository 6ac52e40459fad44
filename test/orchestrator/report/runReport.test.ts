import { describe, expect, it } from 'vitest';
import {
  formatReport,
  formatReportMarkdown,
  formatMs,
} from '../../../src/orchestrator/report/reportText.js';
import {
  nearestRank,
  type OutcomeRow,
  type ReportFacts,
  summarizeRun,
  unitMsOf,
} from '../../../src/orchestrator/report/runReport.js';

describe('nearest-rank percentiles', () => {
  // The method's definition: the smallest value with at least p % of the values at or below it.
  it.each([
    [[15, 20, 35, 40, 50], 5, 15],
    [[15, 20, 35, 40, 50], 30, 20],
    [[15, 20, 35, 40, 50], 40, 20],
    [[15, 20, 35, 40, 50], 50, 35],
    [[15, 20, 35, 40, 50], 100, 50],
    [[7], 50, 7],
    [[7], 90, 7],
  ])('of %j at p%s is %s', (values, p, want) => expect(nearestRank(values, p)).toBe(want));

  it('is always one of the values, and at most p % of them lie above it', () => {
    const values = Array.from({ length: 37 }, (_, i) => ((i * 7919) % 101) + 0.5);
    const sorted = [...values].sort((a, b) => a - b);
    for (const p of [1, 10, 50, 90, 99]) {
      const v = nearestRank(sorted, p)!;
      expect(values).toContain(v);
      expect(values.filter((x) => x <= v).length / values.length).toBeGreaterThanOrEqual(p / 100);
      expect(values.filter((x) => x < v).length / values.length).toBeLessThan(p / 100);
    }
  });

  it('has nothing to say of no values', () => {
    expect(nearestRank([], 50)).toBeNull();
    expect(unitMsOf([])).toEqual({ p50: null, p90: null, max: null });
  });

  it('sorts the times it is given', () => {
    expect(unitMsOf([30, 10, 20])).toEqual({ p50: 20, p90: 30, max: 30 });
  });
});

const row = (o: Partial<OutcomeRow> & Pick<OutcomeRow, 'track' | 'unit'>): OutcomeRow => ({
  status: 'done',
  rows: 100,
  bytes: 1000,
  ms: 1000,
  error: null,
  attempts: 1,
  host: 'vm',
  ...o,
});

function facts(over: Partial<ReportFacts> = {}): ReportFacts {
  const months = ['2024-07', '2024-08', '2024-09', '2024-10', '2024-11', '2024-12', '2025-01'];
  return {
    run: {
      runId: '20261202-080000-abcd',
      status: 'failed',
      startedAt: new Date('2026-12-02T08:00:00Z'),
      finishedAt: new Date('2026-12-02T08:02:05Z'),
      host: 'vm',
      exitCode: 1,
      message: 'failed: regression',
      units: {
        bollinger: months.map((m) => `eurusd/${m}`),
        regression: ['eurusd/2024-07', 'eurusd/2024-08'],
        extraction: ['eurusd'],
      },
    },
    source: 'history',
    outcomes: [
      ...months.map((m, i) =>
        row({
          track: 'bollinger',
          unit: `eurusd/${m}`,
          ms: (i + 1) * 100,
          rows: i,
          host: i < 2 ? 'far' : 'vm',
        }),
      ),
      row({ track: 'regression', unit: 'eurusd/2024-07', status: 'failed', error: 'E1: first' }),
      row({ track: 'regression', unit: 'eurusd/2024-07', ms: 4000, attempts: 2 }),
      row({ track: 'regression', unit: 'eurusd/2024-08', status: 'failed', error: 'E2: a | b' }),
      row({
        track: 'regression',
        unit: 'eurusd/2024-08',
        status: 'failed',
        error: 'E2: a | b',
        attempts: 2,
      }),
      row({ track: 'extraction', unit: 'eurusd', status: 'empty', rows: 0, bytes: 0, ms: 5 }),
    ],
    ...over,
  };
}

describe('the post-run report', () => {
  it("counts each unit by its last outcome in the run, and its track's retried attempts", () => {
    const r = summarizeRun(facts());
    const [t1, t2, t3] = r.tracks;
    expect(t1).toMatchObject({ inScope: 7, done: 7, noData: 0, failed: 0, retriedAttempts: 0 });
    expect(t1!.rows).toBe(0 + 1 + 2 + 3 + 4 + 5 + 6);
    expect(t2).toMatchObject({ inScope: 2, done: 1, failed: 1, retriedAttempts: 2 });
    expect(t2!.failures).toEqual([
      { unit: 'eurusd/2024-08', error: 'E2: a | b', attempts: 2, host: 'vm' },
    ]);
    expect(t3).toMatchObject({ done: 0, noData: 1, unitMs: { p50: null, p90: null, max: null } });
    expect(r.wallSeconds).toBe(125);
    expect(r.note).toBeNull();
  });

  it('takes unit times over the units done, and lists the five slowest, slowest first', () => {
    const t1 = summarizeRun(facts()).tracks[0]!;
    expect(t1.unitMs).toEqual({ p50: 400, p90: 700, max: 700 });
    expect(t1.slowest.map((u) => u.ms)).toEqual([700, 600, 500, 400, 300]);
    expect(t1.slowest[0]).toEqual({
      unit: 'eurusd/2025-01',
      ms: 700,
      rows: 6,
      bytes: 1000,
      host: 'vm',
    });
    // The failed attempt's time is not a unit time.
    expect(summarizeRun(facts()).tracks[1]!.unitMs).toEqual({ p50: 4000, p90: 4000, max: 4000 });
  });

  it('counts per host, per track and over the run, most units first', () => {
    const r = summarizeRun(facts());
    expect(r.tracks[0]!.hosts).toEqual([
      { host: 'vm', done: 5, noData: 0, failed: 0, rows: 2 + 3 + 4 + 5 + 6 },
      { host: 'far', done: 2, noData: 0, failed: 0, rows: 1 },
    ]);
    expect(r.hosts).toEqual([
      { host: 'vm', done: 6, noData: 1, failed: 1, rows: 2 + 3 + 4 + 5 + 6 + 100 },
      { host: 'far', done: 2, noData: 0, failed: 0, rows: 1 },
    ]);
  });

  it('says so when it comes from unit_results, and while the run goes on', () => {
    expect(summarizeRun(facts({ source: 'ledger' })).note).toContain('redone by later runs');
    const running = facts();
    const live = { ...running, run: { ...running.run, status: 'running', finishedAt: null } };
    const r = summarizeRun(live, new Date('2026-12-02T08:00:30Z'));
    expect(r.note).toContain('still going');
    expect(r.wallSeconds).toBe(30);
  });

  it('reads as text: the figures of every track, the slowest, the failures, the hosts', () => {
    const text = formatReport(summarizeRun(facts()));
    expect(text).toContain('run 20261202-080000-abcd: failed (exit 1): failed: regression');
    expect(text).toMatch(/^bollinger\s+7\s+7\s+0\s+0\s+21\s+7\.0 kB\s+400 ms\s+700 ms\s+700 ms$/m);
    expect(text).toMatch(/bollinger\s+EURUSD 2025-01\s+700 ms/);
    expect(text).toContain('regression EURUSD 2024-08 (2 attempt(s), on vm): E2: a | b');
    expect(text).toContain('retried within the run: regression 2');
    expect(text).toContain('vm 6 done, 1 no data, 1 failed; far 2 done, 0 no data, 0 failed');
  });

  it('reads as Markdown with tables whose cells a pipe cannot break', () => {
    const md = formatReportMarkdown(summarizeRun(facts()));
    expect(md).toMatch(/^# Run 20261202-080000-abcd: failed$/m);
    expect(md).toContain(
      '| track | in scope | done | no data | failed | rows | bytes | p50 | p90 | max |',
    );
    expect(md).toContain('| regression | EURUSD 2024-08 | 2 | vm | E2: a \\| b |');
    for (const heading of ['## Slowest units', '## Failures', '## Hosts'])
      expect(md).toContain(heading);
    // Every table row has as many cells as its heading.
    const tables = md.split('\n\n').filter((b) => b.startsWith('|'));
    for (const t of tables) {
      const cells = t.split('\n').map((l) => l.split(/(?<!\\)\|/).length);
      expect(new Set(cells).size).toBe(1);
    }
  });

  it.each([
    [null, '—'],
    [850.4, '850 ms'],
    [12_400, '12.4 s'],
    [249_000, '4m 09s'],
  ])('writes a unit time of %s ms as %s', (ms, want) => expect(formatMs(ms)).toBe(want));
});

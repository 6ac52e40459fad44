import { stripVTControlCharacters as strip } from 'node:util';
import { render } from 'ink-testing-library';
import { afterEach, describe, expect, it } from 'vitest';
import type { RunReport as Report } from '../../src/orchestrator/report/reportTypes.js';
import { formatMs } from '../../src/orchestrator/report/reportText.js';
import { type OutcomeRow, summarizeRun } from '../../src/orchestrator/report/runReport.js';
import type { RunEvent } from '../../src/orchestrator/state/events.js';
import { initialState, type RunState, reduce } from '../../src/orchestrator/state/runState.js';
import { RunReport } from '../../src/ui/panels/RunReport.js';
import { ThemeContext, themeFor } from '../../src/ui/theme.js';
import { fixedFeed, mount, showDashboard, unmountAll, until } from '../support/dashboard.js';
import { workerEvent } from '../support/runEvents.js';

const t0 = Date.parse('2026-12-02T08:00:00Z');
const RUN_ID = '20261202-080000-abcd';
const months = ['2024-07', '2024-08', '2024-09', '2024-10', '2024-11', '2024-12'];

const outcome = (o: Partial<OutcomeRow> & Pick<OutcomeRow, 'track' | 'unit'>): OutcomeRow => ({
  status: 'done',
  rows: 366_311,
  bytes: 87_200_000,
  ms: 54_500,
  error: null,
  attempts: 1,
  host: 'vm',
  ...o,
});

/** A finished run's report: two hosts, a slow Track 2, two failed units. */
function sampleReport(failures = 2): Report {
  const outcomes = [
    ...months.map((m, i) =>
      outcome({ track: 'bollinger', unit: `eurusd/${m}`, ms: 1000 + i * 250, host: 'vm' }),
    ),
    ...months.map((m, i) =>
      outcome({ track: 'regression', unit: `gbpusd/${m}`, ms: 20_000 + i * 900, host: 'box-2' }),
    ),
    ...Array.from({ length: failures }, (_, i) =>
      outcome({
        track: 'regression',
        unit: `usdjpy/${months[i]}`,
        status: 'failed',
        error: `E_TIMEOUT: statement timeout ${i}`,
        attempts: 3,
      }),
    ),
    outcome({ track: 'extraction', unit: 'eurusd' }),
  ];
  return summarizeRun({
    run: {
      runId: RUN_ID,
      status: failures > 0 ? 'failed' : 'complete',
      startedAt: new Date(t0),
      finishedAt: new Date(t0 + 185_000),
      host: 'vm',
      exitCode: failures > 0 ? 1 : 0,
      message: null,
      units: { bollinger: months, regression: months, extraction: ['eurusd'] },
    },
    source: 'history',
    outcomes,
  });
}

/** A run that planned, ran, published its report and finished. */
function finishedState(report: Report): RunState {
  const events: RunEvent[] = [
    {
      type: 'run_planned',
      at: t0,
      runId: RUN_ID,
      maxAttempts: 3,
      stallMs: 60_000,
      tracks: [
        { track: 'bollinger', total: 6, done: 0, empty: 0, rows: 0, workers: 1 },
        { track: 'regression', total: 8, done: 0, empty: 0, rows: 0, workers: 1 },
        { track: 'extraction', total: 1, done: 0, empty: 0, rows: 0, workers: 1 },
      ],
    },
    { type: 'run_report', at: t0 + 185_000, report },
    { type: 'run_finished', at: t0 + 185_000, status: 'failed', exitCode: 1 },
  ];
  return events.reduce(reduce, initialState(t0));
}

/**
 * The same run as a real one ends: each track's workers ran units (so each track has its
 * elapsed time, pace and last unit), the machine was sampled.
 */
function endedLikeARealRun(report: Report): RunState {
  const units: RunEvent[] = (['bollinger', 'regression', 'extraction'] as const).flatMap(
    (track, k) => [
      { type: 'child_started', at: t0, track, pid: 10 + k } as RunEvent,
      ...months.slice(0, 3).flatMap((m, i) => {
        const unit = track === 'extraction' ? ['eurusd', 'gbpusd', 'usdjpy'][i]! : `eurusd/${m}`;
        const at = t0 + (i + 1) * 20_000;
        return [
          workerEvent(at - 15_000, track, 10 + k, { type: 'unit_start', unit, attempt: 1 }),
          workerEvent(at, track, 10 + k, {
            type: 'unit_done',
            unit,
            rows: 30_360,
            bytes: 8e6,
            ms: 15_000,
          }),
        ];
      }),
    ],
  );
  const events: RunEvent[] = [
    {
      type: 'run_planned',
      at: t0,
      runId: RUN_ID,
      maxAttempts: 3,
      stallMs: 60_000,
      tracks: [
        { track: 'bollinger', total: 6, done: 0, empty: 0, rows: 0, workers: 2 },
        { track: 'regression', total: 8, done: 0, empty: 0, rows: 0, workers: 2 },
        { track: 'extraction', total: 3, done: 0, empty: 0, rows: 0, workers: 2 },
      ],
    },
    ...units,
    { type: 'run_report', at: t0 + 185_000, report },
    { type: 'run_finished', at: t0 + 185_000, status: 'failed', exitCode: 1 },
  ];
  return events.reduce(reduce, initialState(t0));
}

afterEach(unmountAll);

function panel(report: Report, width: number, lines: number) {
  const r = mount(
    render(
      <ThemeContext.Provider value={themeFor({ LANG: 'C.UTF-8' })}>
        <RunReport report={report} width={width} lines={lines} />
      </ThemeContext.Provider>,
    ),
  );
  return strip(r.lastFrame() ?? '').split('\n');
}

const dashboard = (state: RunState, columns: number, rows: number) =>
  showDashboard({ feed: fixedFeed(state), columns, rows });

describe('the report panel', () => {
  it.each([80, 100, 160])('fits %i columns and gives every track its figures', (width) => {
    const report = sampleReport();
    const lines = panel(report, width, 12);
    expect(lines.length).toBeLessThanOrEqual(12);
    for (const l of lines) expect(l.length).toBeLessThanOrEqual(width);
    expect(lines[0]).toContain(`Report (bqx-monitor report ${RUN_ID}): failed, wall 3m 05s`);
    const heading = lines[1]!;
    for (const h of ['done', 'no data', 'failed', 'p50', 'p90', 'max'])
      expect(heading).toContain(h);
    // The figures of each track: its done, failed, p50, p90 and max as the report has them.
    for (const t of report.tracks) {
      const line = lines.find((l) => l.trimStart().startsWith(t.track))!;
      expect(line).toBeDefined();
      const cells = line.trim().split(/\s{2,}/);
      expect(cells).toContain(String(t.done));
      expect(cells).toContain(String(t.failed));
      expect(cells.slice(-3)).toEqual([t.unitMs.p50, t.unitMs.p90, t.unitMs.max].map(formatMs));
    }
    expect(lines.join('\n')).toContain(
      'hosts: vm 7 done, 0 no data, 2 failed; box-2 6 done, 0 no data, 0 failed',
    );
    expect(lines.join('\n')).toContain(
      'failed regression USDJPY 2024-07: E_TIMEOUT: statement timeout 0',
    );
    expect(lines.join('\n')).toContain('slowest regression: GBPUSD 2024-12 24.5 s');
  });

  it('shows bytes and rows only where they fit, and all columns at 160', () => {
    const report = sampleReport();
    expect(panel(report, 160, 12)[1]).toContain('bytes');
    expect(panel(report, 160, 12)[1]).toContain('in scope');
    expect(panel(report, 80, 12)[1]).not.toContain('in scope');
  });

  it('keeps a line for the slowest units when failures are many, and counts the rest', () => {
    const lines = panel(sampleReport(6), 100, 9);
    expect(lines).toHaveLength(9);
    const text = lines.join('\n');
    expect(text).toContain('failed regression USDJPY 2024-07');
    expect(text).toContain('5 more failed: regression USDJPY 2024-08 · regression USDJPY 2024-09');
    expect(text).toContain('slowest bollinger:');
  });

  it.each([
    [80, 24],
    [100, 30],
    [160, 40],
  ])(
    'takes the events area of the dashboard once the run has ended (%i×%i)',
    async (columns, rows) => {
      const r = dashboard(finishedState(sampleReport()), columns, rows);
      await until(() => expect(r.frame()).toContain('Report (bqx-monitor report'));
      const lines = r.frame().split('\n');
      expect(lines.length).toBeLessThanOrEqual(rows - 1);
      for (const l of lines) expect(l.length).toBeLessThanOrEqual(columns);
      const frame = lines.join('\n');
      expect(frame).toContain('hosts: vm 7 done, 0 no data, 2 failed; box-2 6 done');
      expect(frame).toContain('regression USDJPY 2024-07');
      const t1 = lines.find((l) => l.trimStart().startsWith('bollinger '))!;
      const { p50, p90, max } = sampleReport().tracks[0]!.unitMs;
      expect(
        t1
          .trim()
          .split(/\s{2,}/)
          .slice(-3),
      ).toEqual([p50, p90, max].map(formatMs));
    },
  );

  it.each([
    [80, 24],
    [100, 30],
    [160, 50],
  ])(
    'at %i×%i after a real run: a row per track whatever the room, the rest as it grows',
    async (columns, rows) => {
      const report = sampleReport();
      const r = dashboard(endedLikeARealRun(report), columns, rows);
      await until(() => expect(r.frame()).toContain('Report (bqx-monitor report'));
      const lines = r.frame().split('\n');
      expect(lines.length).toBeLessThanOrEqual(rows - 1);
      for (const l of lines) expect(l.length).toBeLessThanOrEqual(columns);
      const at = lines.findIndex((l) => l.startsWith('Report (bqx-monitor report'));
      expect(lines[at + 1]).toMatch(/track +(in scope +)?done/);
      for (const [i, t] of report.tracks.entries())
        expect(lines[at + 2 + i]!.trim().split(/\s{2,}/)[0]).toBe(t.track);
      const shown = lines.slice(at).join('\n');
      // The hosts, failures and slowest units as the height allows: all of them at 160×50.
      if (rows >= 30) expect(shown).toContain('hosts: vm 7 done');
      if (rows >= 50) {
        expect(shown).toContain('failed regression USDJPY 2024-07');
        expect(shown).toContain('slowest regression:');
        // And each track's last unit above, too.
        expect(r.frame().match(/last: /g)).toHaveLength(3);
      }
    },
  );

  it('is not shown while the run goes on', async () => {
    const state = finishedState(sampleReport());
    const running = { ...state, finished: false, end: undefined };
    const r = dashboard(running, 100, 30);
    await until(() => expect(r.frame()).toContain('Track 1'));
    expect(r.frame()).not.toContain('Report (bqx-monitor report');
  });
});

import { stripVTControlCharacters as strip } from 'node:util';
import { render } from 'ink-testing-library';
import { afterEach, describe, expect, it } from 'vitest';
import type { RunEvent } from '../../src/orchestrator/state/events.js';
import { type HostSummary, initialState, reduce } from '../../src/orchestrator/state/runState.js';
import { workerEvent } from '../support/runEvents.js';
import { describeHost } from '../../src/orchestrator/text/describe.js';
import { HostsPanel, hostLines } from '../../src/ui/panels/HostsPanel.js';
import { ThemeContext, themeFor } from '../../src/ui/theme.js';
import { fixedFeed, mount, showDashboard, unmountAll, untilShown } from '../support/dashboard.js';

const host = (name: string, o: Partial<HostSummary> = {}): HostSummary => ({
  host: name,
  supervisor: false,
  workers: { bollinger: 0, regression: 1, extraction: 0 },
  running: 0,
  done: 5,
  noData: 0,
  failed: 0,
  unitsPerSec: 0.1,
  ...o,
});

const HOME = host('vm-1', {
  supervisor: true,
  workers: { bollinger: 2, regression: 1, extraction: 1 },
  done: 38,
  noData: 2,
  unitsPerSec: 0.8,
});
const TWO = [HOME, host('other-host')];
const MANY = [HOME, ...['b-host', 'c-host', 'd-host', 'e-host', 'f-host'].map((h) => host(h))];

afterEach(unmountAll);

function panel(hosts: readonly HostSummary[], columns: number, max: number, lang = 'C.UTF-8') {
  const r = mount(
    render(
      <ThemeContext.Provider value={themeFor({ LANG: lang })}>
        <HostsPanel lines={hostLines(hosts, columns, max)} width={columns} />
      </ThemeContext.Provider>,
    ),
  );
  return strip(r.lastFrame() ?? '').split('\n');
}

describe('the hosts panel', () => {
  it.each([80, 100, 160])('shows two hosts on one line at %i columns', (columns) => {
    const lines = panel(TWO, columns, 3);
    expect(lines).toEqual([
      `  hosts: ${describeHost(TWO[0]!)} · ${describeHost(TWO[1]!)}`.trimEnd(),
    ]);
    expect(lines[0]).toContain('vm-1 (T1 2, T2 1, T3 1) 40 done 0.8/s');
    expect(lines[0]).toContain('other-host (T2 1) 5 done 0.1/s');
    for (const l of lines) expect(l.length).toBeLessThanOrEqual(columns);
  });

  it.each([80, 100, 160])(
    'gives each host a line when they do not fit on one (%i columns)',
    (columns) => {
      const lines = panel(MANY, columns, 3);
      expect(lines).toHaveLength(3);
      expect(lines[0]).toBe(`  hosts: ${describeHost(HOME)}`);
      expect(lines[1]!.trim()).toBe(describeHost(MANY[1]!));
      expect(lines[2]!.trim()).toBe(`+${MANY.length - 2} more hosts`);
      for (const l of lines) expect(l.length).toBeLessThanOrEqual(columns);
    },
  );

  it.each([80, 100, 160])(
    'keeps to one line when it must (%i columns): as many hosts as fit, then how many more',
    (columns) => {
      const [line, ...rest] = panel(MANY, columns, 1);
      expect(rest).toEqual([]);
      expect(line!.length).toBeLessThanOrEqual(columns);
      const shown = MANY.filter((h) => line!.includes(`${h.host} (`)).length;
      expect(shown).toBeGreaterThanOrEqual(1);
      expect(shown).toBeLessThan(MANY.length);
      expect(line).toMatch(new RegExp(` · \\+${MANY.length - shown} more$`));
    },
  );

  it('draws ASCII only in a non-UTF-8 locale', () => {
    const lines = panel(TWO, 100, 3, 'C');
    expect(lines.join('\n')).not.toMatch(/[^\x00-\x7f]/);
    expect(lines[0]).toContain('other-host (T2 1) 5 done');
  });
});

/** A run on vm-1 with a Track 2 worker of other-host running a unit. */
function twoHostRun() {
  const t0 = Date.parse('2026-12-01T10:00:00Z');
  const events: RunEvent[] = [
    { type: 'run_started', at: t0, runId: '20261201-100000-abcd', host: 'vm-1', pid: 1 },
    {
      type: 'run_planned',
      at: t0,
      runId: '20261201-100000-abcd',
      maxAttempts: 3,
      stallMs: 60_000,
      tracks: [
        { track: 'bollinger', total: 6, done: 0, empty: 0, rows: 0, workers: 1 },
        { track: 'regression', total: 4, done: 0, empty: 0, rows: 0, workers: 1 },
        { track: 'extraction', total: 2, done: 0, empty: 0, rows: 0, workers: 1 },
      ],
    },
    { type: 'child_started', at: t0, track: 'regression', pid: 12 },
    {
      type: 'remote_workers',
      at: t0,
      workers: [{ host: 'other-host', pid: 99, track: 'regression' }],
    },
    workerEvent(
      t0 + 1000,
      'regression',
      99,
      { type: 'unit_start', unit: 'eurusd/2024-08', attempt: 1 },
      { host: 'other-host', remote: true },
    ),
    workerEvent(
      t0 + 1000,
      'regression',
      12,
      { type: 'unit_start', unit: 'eurusd/2024-09', attempt: 1 },
      { host: 'vm-1' },
    ),
    { type: 'track_state', at: t0, track: 'regression', status: 'running', reason: 'running' },
    { type: 'tick', at: t0 + 5000 },
  ];
  return events.reduce(reduce, initialState(t0));
}

describe('the hosts in the dashboard', () => {
  it.each([
    [80, 24],
    [100, 32],
    [160, 40],
  ])(
    'shows the hosts line and each running unit with its host at %i×%i, never overflowing',
    async (columns, rows) => {
      const { frame } = showDashboard({
        feed: fixedFeed(twoHostRun()),
        database: 'postgres://bqx:****@db/bqx',
        columns,
        rows,
      });
      await untilShown(frame, '[RUNNING]');
      const lines = frame().split('\n');
      expect(lines.length).toBeLessThanOrEqual(rows - 1);
      for (const l of lines) expect(l.length).toBeLessThanOrEqual(columns);
      expect(frame()).toMatch(/hosts: vm-1 \(T2 1\) 0 done · other-host \(T2 1\) 0 done/);
      expect(frame()).toContain('EURUSD 2024-08 @other-host: starting');
    },
  );
});

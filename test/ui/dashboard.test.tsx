import { stripVTControlCharacters as strip } from 'node:util';
import { render } from 'ink-testing-library';
import { afterEach, describe, expect, it, vi } from 'vitest';
import type { RunEvent } from '../../src/orchestrator/state/events.js';
import { initialState, type RunState, reduce } from '../../src/orchestrator/state/runState.js';
import { workerEvent } from '../support/runEvents.js';
import { Dashboard, type DashboardControls } from '../../src/ui/Dashboard.js';
import { bar, percent, sparkline } from '../../src/ui/format.js';
import { glyphsFor } from '../../src/orchestrator/text/charset.js';
import { Badge } from '../../src/ui/panels/TrackPanel.js';
import { type Theme, ThemeContext, themeFor } from '../../src/ui/theme.js';
import type { RunFeed } from '../../src/ui/useRunFeed.js';

// Colours on (as in a real terminal), so that NO_COLOR has something to turn off.
vi.hoisted(() => {
  process.env['FORCE_COLOR'] = '1';
});

const UTF8 = glyphsFor({ LANG: 'en_US.UTF-8' });
const ASCII = glyphsFor({ LANG: 'C' });

describe('formatting', () => {
  it.each([
    [0, 10, '░░░░░░░░░░'],
    [0.5, 10, '█████░░░░░'],
    [0.999, 10, '█████████░'],
    [1, 10, '██████████'],
    [1.7, 4, '████'],
    [Number.NaN, 4, '░░░░'],
  ])('bar(%s, %s)', (f, w, want) => {
    expect(bar(f, w, UTF8)).toBe(want);
    expect(bar(f, w, UTF8)).toHaveLength(w);
  });

  it.each([
    [0, '0.0%'],
    [0.5423, '54.2%'],
    [1, '100.0%'],
    [2, '100.0%'],
  ])('percent(%s) = %s', (f, want) => expect(percent(f)).toBe(want));

  it('draws ASCII bars and sparklines in a non-UTF-8 locale', () => {
    expect(bar(0.5, 6, ASCII)).toBe('###...');
    expect(sparkline([0, 50, 100], 3, ASCII)).toMatch(/^[ -~]{3}$/);
    expect(sparkline([0, 50, 100], 3, UTF8)).toBe('▁▅█');
  });
});

const ev = workerEvent;

function sampleState(): RunState {
  const t0 = Date.parse('2026-11-25T10:00:00Z');
  const events: RunEvent[] = [
    {
      type: 'run_planned',
      at: t0,
      runId: '20261125-100000-abcd',
      maxAttempts: 3,
      stallMs: 60_000,
      tracks: [
        { track: 'bollinger', total: 672, done: 300, empty: 12, rows: 0, workers: 1 },
        { track: 'regression', total: 336, done: 100, empty: 0, rows: 0, workers: 1 },
        { track: 'extraction', total: 28, done: 5, empty: 0, rows: 0, workers: 1 },
      ],
    },
    { type: 'child_started', at: t0, track: 'bollinger', pid: 11 },
    { type: 'child_started', at: t0, track: 'regression', pid: 12 },
    { type: 'child_started', at: t0, track: 'extraction', pid: 13 },
    ev(t0 + 1000, 'regression', 12, { type: 'unit_start', unit: 'audcad/2024-09', attempt: 1 }),
    ev(t0 + 2000, 'regression', 12, {
      type: 'stage',
      unit: 'audcad/2024-09',
      stage: 'compute',
      detail: 'w45',
    }),
    ev(t0 + 3000, 'extraction', 13, {
      type: 'unit_done',
      unit: 'gbpnzd',
      rows: 366311,
      bytes: 87_200_000,
      ms: 54_500,
    }),
    { type: 'track_state', at: t0, track: 'bollinger', status: 'running', reason: 'running' },
    { type: 'track_state', at: t0, track: 'regression', status: 'running', reason: 'running' },
    { type: 'track_state', at: t0, track: 'extraction', status: 'running', reason: 'running' },
    { type: 'track_state', at: t0 + 4000, track: 'bollinger', status: 'paused', reason: 'paused' },
    { type: 'tick', at: t0 + 5000 },
  ];
  return events.reduce(reduce, initialState(t0));
}

function feedOf(state: RunState): RunFeed {
  return { getState: () => state, subscribe: () => () => {} };
}

function recorder() {
  const calls: string[] = [];
  const controls: DashboardControls = {
    togglePause: (t) => calls.push(`pause ${t}`),
    togglePauseAll: () => calls.push('pause all'),
    restart: (t) => calls.push(`restart ${t}`),
    stopRun: () => calls.push('stop'),
  };
  return { calls, controls };
}

const mounted: Array<{ unmount: () => void }> = [];
afterEach(() => {
  for (const m of mounted.splice(0)) m.unmount();
});

function show(opts: { theme?: Theme; columns?: number; rows?: number; state?: RunState } = {}) {
  const { calls, controls } = recorder();
  const quits: string[] = [];
  const r = render(
    <ThemeContext.Provider value={opts.theme ?? themeFor({ LANG: 'C.UTF-8' })}>
      <Dashboard
        feed={feedOf(opts.state ?? sampleState())}
        controls={controls}
        database="postgres://bqx:****@db.example/bqx"
        intervalMs={5}
        size={{ columns: opts.columns ?? 80, rows: opts.rows ?? 24 }}
        onQuit={(why) => quits.push(why)}
      />
    </ThemeContext.Provider>,
  );
  mounted.push(r);
  return { ...r, calls, quits };
}

const tick = (ms = 100) => new Promise((r) => setTimeout(r, ms));

describe('the dashboard', () => {
  it('fits 80×24: no line wider than 80 columns, never taller than the terminal', async () => {
    const r = show();
    await tick();
    const lines = strip(r.lastFrame() ?? '').split('\n');
    expect(lines.length).toBeLessThanOrEqual(23);
    for (const l of lines) expect(l.length).toBeLessThanOrEqual(80);
    const frame = strip(r.lastFrame()!);
    // The database description gives way first at 80 columns; the password never shows.
    expect(frame).toContain('postgres://bqx');
    expect(frame).not.toMatch(/bqx:[^*]/);
    expect(frame).toContain('[PAUSED]');
    expect(frame).toContain('[RUNNING]');
    expect(frame).toContain('AUDCAD 2024-09: computing w45');
    expect(frame).toContain('last: GBPNZD: complete, 366,311 rows, 87.2 MB, 54.5 s');
    expect(frame).toContain('46.4% 312/672 units');
    expect(frame).toContain('6/28 pairs');
  });

  it('uses more room on a bigger terminal and still never overflows it', async () => {
    const r = show({ columns: 140, rows: 50 });
    await tick();
    const lines = strip(r.lastFrame() ?? '').split('\n');
    expect(lines.length).toBeLessThanOrEqual(49);
    for (const l of lines) expect(l.length).toBeLessThanOrEqual(140);
    expect(r.lastFrame()).toContain('p pause/resume');
    expect(r.lastFrame()).toContain('postgres://bqx:****@db.example/bqx');
  });

  it('draws ASCII only in a non-UTF-8 locale', async () => {
    const r = show({ theme: themeFor({ LANG: 'C' }) });
    await tick();
    const frame = r.lastFrame()!;
    expect(frame).not.toMatch(/[^\x00-\x7f]/);
    expect(frame).toMatch(/#+\.+/);
  });

  it('uses colour in a colour terminal and none at all under NO_COLOR', async () => {
    const coloured = show();
    await tick();
    expect(coloured.lastFrame()).toMatch(/\u001b\[3\dm/);
    const plain = show({ theme: themeFor({ LANG: 'C.UTF-8', NO_COLOR: '1' }) });
    await tick();
    expect(plain.lastFrame()).not.toMatch(/\u001b\[(3\d|4\d|7)m/);
    expect(plain.lastFrame()).toContain('[PAUSED]');
  });

  it('dispatches keys to the supervisor controls', async () => {
    const r = show();
    await tick();
    r.stdin.write('p');
    await tick();
    r.stdin.write('j');
    await tick();
    r.stdin.write('p');
    await tick();
    r.stdin.write('P');
    await tick();
    r.stdin.write('r');
    await tick();
    expect(r.lastFrame()).toContain('Restart regression?');
    r.stdin.write('y');
    await tick();
    r.stdin.write('k');
    await tick();
    r.stdin.write('r');
    await tick();
    r.stdin.write('n');
    await tick();
    expect(r.calls).toEqual([
      'pause bollinger',
      'pause regression',
      'pause all',
      'restart regression',
    ]);
  });

  it('asks whether to detach or stop the run; s stops it, and the view stays to watch', async () => {
    const r = show();
    await tick();
    r.stdin.write('q');
    await tick();
    expect(r.lastFrame()).toContain('d or Enter detach (the run goes on)');
    expect(r.calls).toEqual([]);
    r.stdin.write('s');
    await tick();
    expect(r.calls).toEqual(['stop']);
    expect(r.lastFrame()).toContain('Stopping the run: running units finish first');
    expect(r.quits).toEqual([]);
  });

  it('detaches on d, Enter or a second Ctrl-C, leaving the run alone', async () => {
    for (const key of ['d', '\r', '\u0003']) {
      const r = show();
      await tick();
      r.stdin.write('q');
      await tick();
      r.stdin.write(key);
      await tick();
      expect(r.quits).toEqual(['detach']);
      expect(r.calls).toEqual([]);
    }
  });

  it('quits at once once the run has ended, saying so', async () => {
    const ended = reduce(sampleState(), {
      type: 'run_finished',
      at: Date.parse('2026-11-25T10:00:06Z'),
      status: 'complete',
      exitCode: 0,
    });
    const r = show({ state: ended });
    await tick();
    r.stdin.write('q');
    await tick();
    expect(r.quits).toEqual(['ended']);
  });

  it('opens a track log, filters it, and goes back with Esc', async () => {
    const r = show();
    await tick();
    r.stdin.write('j');
    await tick();
    r.stdin.write('l');
    await tick();
    expect(r.lastFrame()).toContain('Track 2 Regression log');
    r.stdin.write('\u001b');
    await tick();
    r.stdin.write('G');
    r.stdin.write('\u001b');
    await tick();
    expect(r.lastFrame()).toContain('[RUNNING]');
  });

  it('shows the help overlay on ?', async () => {
    const r = show();
    await tick();
    r.stdin.write('?');
    await tick();
    expect(r.lastFrame()).toContain('pause / resume the selected track');
  });
});

describe('status badges', () => {
  it.each(['running', 'paused', 'restarting', 'failed', 'complete', 'stopped', 'waiting'] as const)(
    '%s',
    (status) => {
      const r = render(<Badge status={status} />);
      mounted.push(r);
      expect(r.lastFrame()).toContain(`[${status.toUpperCase()}]`);
    },
  );
});

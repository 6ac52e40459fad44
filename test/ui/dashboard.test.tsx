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
    addWorker: (t) => calls.push(`add worker ${t}`),
    removeWorker: (t) => calls.push(`remove worker ${t}`),
    retryFailed: (t) => calls.push(`retry ${t}`),
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

type Shown = ReturnType<typeof show>;

/** The current frame as text. */
const frameOf = (r: Shown) => strip(r.lastFrame() ?? '');

/** Waits (generously: a loaded machine) until the dashboard shows what `check` expects. */
const until = (check: () => void) => vi.waitFor(check, { timeout: 10_000, interval: 10 });

/** The dashboard once it has drawn its first frame of the sample run. */
async function shown(opts: Parameters<typeof show>[0] = {}): Promise<Shown> {
  const r = show(opts);
  await until(() => expect(frameOf(r)).toContain('[RUNNING]'));
  return r;
}

/** Presses `key`, then waits for what it does. */
async function press(r: Shown, key: string, then: () => void): Promise<void> {
  r.stdin.write(key);
  await until(then);
}

/** The selected track's panel: the pointer before its title. */
const selected = (r: Shown, title: string) => () =>
  expect(frameOf(r)).toMatch(new RegExp(`${UTF8.pointer} ${title}`));

describe('the dashboard', () => {
  it('fits 80×24: no line wider than 80 columns, never taller than the terminal', async () => {
    const r = await shown();
    const lines = frameOf(r).split('\n');
    expect(lines.length).toBeLessThanOrEqual(23);
    for (const l of lines) expect(l.length).toBeLessThanOrEqual(80);
    const frame = frameOf(r);
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
    const r = await shown({ columns: 140, rows: 50 });
    const lines = frameOf(r).split('\n');
    expect(lines.length).toBeLessThanOrEqual(49);
    for (const l of lines) expect(l.length).toBeLessThanOrEqual(140);
    expect(r.lastFrame()).toContain('p pause/resume');
    expect(r.lastFrame()).toContain('postgres://bqx:****@db.example/bqx');
  });

  it('draws ASCII only in a non-UTF-8 locale', async () => {
    const r = await shown({ theme: themeFor({ LANG: 'C' }) });
    const frame = r.lastFrame()!;
    expect(frame).not.toMatch(/[^\x00-\x7f]/);
    expect(frame).toMatch(/#+\.+/);
  });

  it('uses colour in a colour terminal and none at all under NO_COLOR', async () => {
    const coloured = await shown();
    expect(coloured.lastFrame()).toMatch(/\u001b\[3\dm/);
    const plain = await shown({ theme: themeFor({ LANG: 'C.UTF-8', NO_COLOR: '1' }) });
    expect(plain.lastFrame()).not.toMatch(/\u001b\[(3\d|4\d|7)m/);
    expect(plain.lastFrame()).toContain('[PAUSED]');
  });

  it('dispatches keys to the supervisor controls', async () => {
    const r = await shown();
    const calls = (n: number) => () => expect(r.calls).toHaveLength(n);
    await press(r, 'p', calls(1));
    await press(r, 'j', selected(r, 'Track 2'));
    await press(r, 'p', calls(2));
    await press(r, 'P', calls(3));
    await press(r, 'r', () => expect(frameOf(r)).toContain('Restart regression?'));
    await press(r, 'y', calls(4));
    await press(r, 'k', selected(r, 'Track 1'));
    await press(r, 'r', () => expect(frameOf(r)).toContain('Restart bollinger?'));
    await press(r, 'n', () => expect(frameOf(r)).not.toContain('Restart bollinger?'));
    expect(r.calls).toEqual([
      'pause bollinger',
      'pause regression',
      'pause all',
      'restart regression',
    ]);
  });

  it('asks whether to detach or stop the run; s stops it, and the view stays to watch', async () => {
    const r = await shown();
    await press(r, 'q', () => expect(frameOf(r)).toContain('d or Enter detach (the run goes on)'));
    expect(r.calls).toEqual([]);
    await press(r, 's', () =>
      expect(frameOf(r)).toContain('Stopping the run: running units finish first'),
    );
    expect(r.calls).toEqual(['stop']);
    expect(r.quits).toEqual([]);
  });

  it('detaches on d, Enter or a second Ctrl-C, leaving the run alone', async () => {
    for (const key of ['d', '\r', '\u0003']) {
      const r = await shown();
      await press(r, 'q', () => expect(frameOf(r)).toContain('detach (the run goes on)'));
      await press(r, key, () => expect(r.quits).toEqual(['detach']));
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
    await until(() => expect(frameOf(r)).toContain('Track 1'));
    await press(r, 'q', () => expect(r.quits).toEqual(['ended']));
  });

  it('opens a track log, filters it, and goes back with Esc', async () => {
    const r = await shown();
    await press(r, 'j', selected(r, 'Track 2'));
    await press(r, 'l', () => expect(frameOf(r)).toContain('Track 2 Regression log'));
    await press(r, '/', () => expect(frameOf(r)).toMatch(/^\/$/m));
    await press(r, 'zzz', () => expect(frameOf(r)).toMatch(/^\/zzz$/m));
    await press(r, '\r', () => expect(frameOf(r)).toContain('filter: zzz'));
    expect(frameOf(r)).toContain('Track 2 Regression log, all workers — 0 line(s)');
    await press(r, '\u001b', () => {
      expect(frameOf(r)).not.toContain('Regression log');
      expect(frameOf(r)).toContain('[RUNNING]');
    });
  });

  it('shows the help overlay on ?', async () => {
    const r = await shown();
    await press(r, '?', () => expect(frameOf(r)).toContain('pause / resume the selected track'));
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

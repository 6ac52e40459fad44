import { stripVTControlCharacters as strip } from 'node:util';
import { render } from 'ink-testing-library';
import { afterEach, describe, expect, it, vi } from 'vitest';
import type { RunEvent } from '../../src/orchestrator/state/events.js';
import type { RunFeed } from '../../src/ui/useRunFeed.js';
import { initialState, type RunState, reduce } from '../../src/orchestrator/state/runState.js';
import { workerEvent } from '../support/runEvents.js';
import { bar, percent, sparkline } from '../../src/ui/format.js';
import { glyphsFor } from '../../src/orchestrator/text/charset.js';
import { Badge } from '../../src/ui/panels/TrackPanel.js';
import { type Theme, themeFor } from '../../src/ui/theme.js';
import {
  fixedFeed,
  mount,
  recorder,
  showDashboard,
  unmountAll,
  until,
} from '../support/dashboard.js';

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

/** How a URL target is described (target.ts): password masked, and where it came from. */
const DATABASE = 'postgres://bqx:****@db.example:5432/bqx (from DATABASE_URL)';

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
    { type: 'child_started', at: t0, track: 'regression', pid: 14 },
    { type: 'child_started', at: t0, track: 'regression', pid: 15 },
    ev(t0 + 1000, 'regression', 12, { type: 'unit_start', unit: 'audcad/2024-09', attempt: 1 }),
    // Units that finish over two minutes: the pace sparkline has a series to draw.
    ...regressionUnit(t0, 14, 'eurjpy/2024-01', 1_000, 25_000),
    ...regressionUnit(t0, 15, 'eurjpy/2024-02', 1_000, 50_000),
    ...regressionUnit(t0, 15, 'eurjpy/2024-03', 50_000, 58_000),
    ev(t0 + 30_000, 'regression', 14, { type: 'unit_start', unit: 'eurusd/2024-03', attempt: 1 }),
    ev(t0 + 60_000, 'regression', 15, { type: 'unit_start', unit: 'gbpusd/2024-03', attempt: 1 }),
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
    { type: 'system_sample', at: t0 + 100_000, sample: SYSTEM },
    {
      type: 'database_sample',
      at: t0 + 100_000,
      sample: { connections: 12, maxConnections: 100, sizeBytes: 2.3e9 },
    },
    { type: 'tick', at: t0 + 120_000 },
  ];
  return events.reduce(reduce, initialState(t0));
}

/** A machine under load: two directories on one disk, two workers (420 MB). */
const SYSTEM = {
  loadAvg: [4.23, 3.98, 3.56] as const,
  cores: 4,
  cpu: 87,
  perCore: [90, 85, 88, 86],
  memUsedBytes: 8.2e9,
  memTotalBytes: 30e9,
  disks: [
    { label: 'data', dir: '/d', mount: '/d', device: 2049, usedBytes: 20e9, sizeBytes: 388e9 },
    { label: 'out', dir: '/o', mount: '/o', device: 2049, usedBytes: 20e9, sizeBytes: 388e9 },
  ],
  workers: [
    { track: 'bollinger' as const, pid: 11, cpu: 95, rssBytes: 120e6 },
    { track: 'regression' as const, pid: 12, cpu: 99, rssBytes: 300e6 },
  ],
};

/** A Track 2 unit run by worker `pid` from `from` to `to` (ms after `t0`). */
function regressionUnit(t0: number, pid: number, unit: string, from: number, to: number) {
  return [
    ev(t0 + from, 'regression', pid, { type: 'unit_start', unit, attempt: 1 }),
    ev(t0 + to, 'regression', pid, {
      type: 'unit_done',
      unit,
      rows: 1000,
      bytes: 1e6,
      ms: to - from,
    }),
  ];
}

/** The sample run with more events than any terminal shows. */
function busyState(): RunState {
  const s = sampleState();
  const warnings = Array.from({ length: 60 }, (_, i) =>
    ev(s.now, 'bollinger', 11, { type: 'warning', code: 'gap', message: `gap ${i}` }),
  );
  return warnings.reduce(reduce, s);
}

afterEach(unmountAll);

function show(
  opts: { theme?: Theme; columns?: number; rows?: number; state?: RunState; feed?: RunFeed } = {},
) {
  const { calls, controls } = recorder();
  const quits: string[] = [];
  const r = showDashboard({
    feed: opts.feed ?? fixedFeed(opts.state ?? sampleState()),
    controls,
    database: DATABASE,
    columns: opts.columns ?? 80,
    rows: opts.rows ?? 24,
    ...(opts.theme ? { theme: opts.theme } : {}),
    onQuit: (why) => quits.push(why),
  });
  return { ...r, calls, quits };
}

type Shown = ReturnType<typeof show>;

/** The current frame as text. */
const frameOf = (r: Shown) => strip(r.lastFrame() ?? '');

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
  it('fits 80×24 with every field whole: database, worker memory, connections, failures', async () => {
    const r = await shown();
    const frame = frameOf(r);
    const lines = frame.split('\n');
    expect(lines.length).toBeLessThanOrEqual(23);
    for (const l of lines) expect(l.length).toBeLessThanOrEqual(80);
    expect(frame).toContain(DATABASE);
    expect(frame).not.toMatch(/bqx:[^*]/);
    expect(frame).toContain('workers 2 (194% cpu, 420 MB)');
    expect(frame).toContain('conns 12/100');
    expect(frame).toContain('2.30 GB');
    expect(frame).toContain('mem 8.2/30.0 GB 27%');
    expect(frame).toContain('data+out 20.0/388.0 GB 5%');
    expect(frame).toMatch(/ 0 failed {2}ETA/);
    expect(frame).toContain('[PAUSED]');
    expect(frame).toContain('[RUNNING]');
    expect(frame).toContain('AUDCAD 2024-09: computing w45');
    expect(frame).toContain('46.4% 312/672 units');
    expect(frame).toContain('6/28 pairs');
    expect(frame).toContain('? help');
  });

  it('wraps a long event between words at 80×24 rather than cutting it', async () => {
    const s = sampleState();
    const message =
      'regression: paused; extraction takes its two slots until it resumes (39 tables checked)';
    const state = reduce(s, ev(s.now, 'bollinger', 11, { type: 'warning', code: 'gap', message }));
    const r = await shown({ state });
    const lines = frameOf(r).split('\n');
    expect(lines.length).toBeLessThanOrEqual(23);
    const at = lines.findIndex((l) => l.includes('bollinger: regression: paused;'));
    expect(at, frameOf(r)).toBeGreaterThanOrEqual(0);
    const joined = lines
      .slice(at, at + 3)
      .map((l) => l.trim())
      .join(' ');
    expect(joined).toContain(message);
    for (const l of lines) {
      expect(l.length).toBeLessThanOrEqual(80);
      expect(l).not.toMatch(/\w…$/);
    }
  });

  it('counts Track 3 in pairs, its rates too', async () => {
    const r = await shown({ columns: 100, rows: 30 });
    const t3 = frameOf(r).split('Track 3 Extraction')[1]!.split('Overall')[0]!;
    expect(t3).toMatch(/pairs\/s/);
    expect(t3).not.toMatch(/units\/s|u\/s/);
  });

  it("shows each track's worker processes beside the limit + and - set", async () => {
    const state = reduce(sampleState(), {
      type: 'track_workers',
      at: sampleState().now,
      track: 'extraction',
      workers: 2,
    });
    const r = await shown({ columns: 100, rows: 30, state });
    // Track 3: one process runs, the limit was raised to two.
    expect(frameOf(r)).toMatch(/Track 3 Extraction[^\n]*\n[^\n]*workers 1\/2/);
    expect(frameOf(r)).toMatch(/Track 1 Bollinger[^\n]*\n[^\n]*workers 1\/1/);
  });

  it("shows each track's elapsed time, pace sparkline and slowest running unit", async () => {
    const r = await shown({ columns: 100, rows: 30 });
    const frame = frameOf(r);
    expect(frame).toContain('elapsed 00:02:00');
    expect(frame).toContain('slowest: AUDCAD 2024-09 119 s');
    expect(frame).toMatch(/units\/s [▁▂▃▄▅▆▇█]{3,} max \d+\.\d\d/);
    // A track with nothing finished has no pace to draw yet.
    expect(frame).toMatch(/Track 1 Bollinger[^\n]*\n[^\n]*units\/s —/);
  });

  it('gives a track no worker has started no elapsed time nor pace', async () => {
    const t0 = sampleState().startedAt!;
    const waiting: RunEvent[] = [
      {
        type: 'run_planned',
        at: t0,
        runId: '20261125-100000-abcd',
        maxAttempts: 3,
        stallMs: 60_000,
        tracks: [
          { track: 'bollinger', total: 12, done: 0, empty: 0, rows: 0, workers: 1 },
          { track: 'regression', total: 9, done: 0, empty: 0, rows: 0, workers: 1 },
          { track: 'extraction', total: 3, done: 0, empty: 0, rows: 0, workers: 1 },
        ],
      },
      { type: 'child_started', at: t0, track: 'regression', pid: 12 },
      { type: 'track_state', at: t0, track: 'regression', status: 'running', reason: 'running' },
      { type: 'tick', at: t0 + 30_000 },
    ];
    const r = await shown({
      columns: 80,
      rows: 24,
      state: waiting.reduce(reduce, initialState(t0)),
    });
    const frame = frameOf(r);
    expect(frame).toMatch(/Track 2 Regression[^\n]*\n[^\n]*\n?[^\n]*elapsed 00:00:30/);
    // Track 1 and 3 wait for a slot: their counts and ETA on one line, then the next track.
    expect(frame).toMatch(/Track 1 Bollinger[^\n]*\n[^\n]*left 12[^\n]*\n\s+Track 2/);
    expect(frame).toMatch(/Track 3 Extraction[^\n]*\n[^\n]*left 3[^\n]*\n\s+Overall/);
    expect(frame.match(/elapsed/g)).toHaveLength(1);
  });

  it.each([
    [80, 24],
    [100, 30],
    [160, 44],
  ])(
    'at %i×%i: never wider or taller than the terminal, spare rows go to activity and events',
    async (columns, rows) => {
      const r = await shown({ columns, rows, state: busyState() });
      const lines = frameOf(r).split('\n');
      for (const l of lines) expect(l.length).toBeLessThanOrEqual(columns);
      // Every row but the one kept free is used: there are more events than rows.
      expect(lines.length).toBe(rows - 1);
      expect(lines.filter((l) => l.includes('gap ')).length).toBeGreaterThanOrEqual(3);
      if (rows >= 30) {
        // Room for each running unit of Track 2, not only the first.
        for (const unit of ['AUDCAD 2024-09', 'EURUSD 2024-03', 'GBPUSD 2024-03'])
          expect(frameOf(r)).toMatch(new RegExp(`^ {4}${unit}: `, 'm'));
      }
    },
  );

  it('grows the bars with the width', async () => {
    const cells = async (columns: number) => {
      const r = await shown({ columns, rows: 40 });
      const line = frameOf(r)
        .split('\n')
        .find((l) => l.includes('Track 1 Bollinger'))!;
      return (line.match(/[█░]/g) ?? []).length;
    };
    const narrow = await cells(80);
    const wide = await cells(160);
    expect(wide).toBeGreaterThan(narrow + 60);
  });

  it('uses more room on a bigger terminal and still never overflows it', async () => {
    const r = await shown({ columns: 140, rows: 50 });
    const lines = frameOf(r).split('\n');
    expect(lines.length).toBeLessThanOrEqual(49);
    for (const l of lines) expect(l.length).toBeLessThanOrEqual(140);
    expect(r.lastFrame()).toContain('p pause/resume');
    expect(r.lastFrame()).toContain(DATABASE);
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

  it('asks whether to detach or stop the run; s stops it, and the view leaves once it has stopped', async () => {
    const r = await shown({ columns: 100, rows: 30 });
    await press(r, 'q', () => expect(frameOf(r)).toContain('d or Enter detach (the run goes on)'));
    expect(r.calls).toEqual([]);
    await press(r, 's', () =>
      expect(frameOf(r)).toContain('Stopping the run: running units finish first'),
    );
    expect(r.calls).toEqual(['stop']);
    // Keys typed while it stops are read and dropped: none reaches the run or the shell.
    await press(r, 'P', () => expect(frameOf(r)).toContain('Stopping the run'));
    expect(r.calls).toEqual(['stop']);
    expect(r.quits).toEqual([]);
  });

  it('leaves by itself, as ended, once the run it was asked to stop has stopped', async () => {
    const base = sampleState();
    let state = base;
    const subs = new Set<(s: RunState, e: RunEvent) => void>();
    const feed: RunFeed = {
      getState: () => state,
      subscribe: (fn) => {
        subs.add(fn);
        return () => subs.delete(fn);
      },
    };
    const r = await shown({ feed });
    await press(r, 'q', () => expect(frameOf(r)).toContain('detach'));
    await press(r, 's', () => expect(frameOf(r)).toContain('Stopping the run'));
    expect(r.quits).toEqual([]);
    const end: RunEvent = {
      type: 'run_finished',
      at: base.now + 5_000,
      status: 'interrupted',
      exitCode: 130,
    };
    state = reduce(state, end);
    for (const fn of subs) fn(state, end);
    await until(() => expect(r.quits).toEqual(['ended']));
  });

  it.each([
    ['q', 'detach', 'Esc stay'],
    ['r', 'Restart bollinger?', '(y/n)'],
  ])('at 80×24 shows the prompt of %s whole', async (key, starts, ends) => {
    const r = await shown({ columns: 80, rows: 24 });
    await press(r, key, () => expect(frameOf(r)).toContain(starts));
    const line = frameOf(r)
      .split('\n')
      .find((l) => l.includes(starts))!;
    expect(line.trimEnd().endsWith(ends), line).toBe(true);
    expect(line.length).toBeLessThanOrEqual(80);
    expect(frameOf(r).split('\n').length).toBeLessThanOrEqual(23);
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

  it('shows the help overlay on ?: every key, and the commands that do the same', async () => {
    const r = await shown();
    await press(r, '?', () => expect(frameOf(r)).toContain('pause / resume the selected track'));
    const help = frameOf(r);
    for (const key of ['+  =', '-  ', 'R  ', 'Tab next worker', 'q  Ctrl-C'])
      expect(help).toContain(key);
    for (const command of ['attach', 'stop', 'status', 'verify', 'report [RUN]'])
      expect(help).toContain(`bqx-monitor ${command}`);
    const lines = help.split('\n');
    expect(lines.length).toBeLessThanOrEqual(23);
    for (const l of lines) expect(l.length).toBeLessThanOrEqual(80);
  });

  it('closes the help on ?, Esc or q alone; any other key closes it and does what it says', async () => {
    for (const key of ['?', '\u001b', 'q']) {
      const r = await shown();
      await press(r, '?', () => expect(frameOf(r)).toContain('close this help'));
      await press(r, key, () => expect(frameOf(r)).toContain('[RUNNING]'));
      expect(frameOf(r)).not.toContain('detach');
      expect(r.quits).toEqual([]);
    }
    const r = await shown();
    await press(r, '?', () => expect(frameOf(r)).toContain('close this help'));
    await press(r, 'j', selected(r, 'Track 2'));
    await press(r, '?', () => expect(frameOf(r)).toContain('close this help'));
    await press(r, 'p', () => {
      expect(r.calls).toEqual(['pause regression']);
      expect(frameOf(r)).toContain('[RUNNING]');
    });
  });
});

describe('status badges', () => {
  it.each(['running', 'paused', 'restarting', 'failed', 'complete', 'stopped', 'waiting'] as const)(
    '%s',
    (status) => {
      const r = mount(render(<Badge status={status} />));
      expect(r.lastFrame()).toContain(`[${status.toUpperCase()}]`);
    },
  );
});

import { afterEach, describe, expect, it, vi } from 'vitest';
import type { RunEvent } from '../../src/orchestrator/state/events.js';
import { liveFeed, showDashboard, unmountAll, until } from '../support/dashboard.js';
import { workerEvent } from '../support/runEvents.js';

afterEach(() => {
  unmountAll();
  vi.useRealTimers();
});

const T0 = Date.parse('2026-12-06T15:00:00Z');
/** The user stops the run 45 s in (Track 2 did a unit every 3 s; Track 1 did 5 units). */
const END = T0 + 45_000;
const hms = (ms: number) => new Date(ms).toISOString().slice(11, 19);

function runUntilStopped(): RunEvent[] {
  const out: RunEvent[] = [
    {
      type: 'run_planned',
      at: T0,
      runId: '20261206-150000-abcd',
      maxAttempts: 3,
      stallMs: 60_000,
      tracks: [
        { track: 'bollinger', total: 6, done: 0, empty: 0, rows: 0, workers: 1 },
        { track: 'regression', total: 48, done: 0, empty: 0, rows: 0, workers: 1 },
        { track: 'extraction', total: 2, done: 0, empty: 0, rows: 0, workers: 1 },
      ],
    },
    { type: 'child_started', at: T0, track: 'bollinger', pid: 6 },
    { type: 'child_started', at: T0, track: 'regression', pid: 7 },
    { type: 'track_state', at: T0, track: 'bollinger', status: 'running', reason: 'running' },
    { type: 'track_state', at: T0, track: 'regression', status: 'running', reason: 'running' },
  ];
  const unit = (
    track: 'bollinger' | 'regression',
    pid: number,
    i: number,
    from: number,
    to: number,
  ) => {
    const name = `eurusd/2024-${String(i + 1).padStart(2, '0')}`;
    out.push(
      workerEvent(from, track, pid, { type: 'unit_start', unit: name, attempt: 1 }),
      workerEvent(to, track, pid, {
        type: 'unit_done',
        unit: name,
        rows: 50,
        bytes: 10,
        ms: to - from,
      }),
    );
  };
  for (let i = 0; i < 15; i++) unit('regression', 7, i, T0 + i * 3000, T0 + (i + 1) * 3000);
  for (let i = 0; i < 5; i++) unit('bollinger', 6, i, T0 + i * 4000, T0 + (i + 1) * 4000);
  out.push(
    { type: 'track_state', at: END, track: 'regression', status: 'stopped', reason: 'stopped' },
    { type: 'track_state', at: END, track: 'bollinger', status: 'stopped', reason: 'stopped' },
    { type: 'run_finished', at: END, status: 'interrupted', exitCode: 130, message: 'stopped' },
  );
  return out;
}

/** The frame without the header's time of day (the one thing that goes on). */
const figures = (frame: string) => frame.replace(/\d\d:\d\d:\d\d UTC/, 'HH:MM:SS UTC');

describe('the dashboard of an ended run', () => {
  it('shows the same elapsed time, rates and sparkline 30 s after its end as at its end', async () => {
    // The machine's clock is far past the end: the view must not read it.
    vi.useFakeTimers({ toFake: ['Date'] });
    vi.setSystemTime(END);
    const feed = liveFeed(runUntilStopped(), T0);
    const d = showDashboard({ feed, columns: 100, rows: 30 });
    await until(() => expect(d.frame()).toContain(`${hms(END)} UTC`));
    await until(() => expect(d.frame()).toContain('Run stopped'));
    const atEnd = d.frame();
    // The end's figures: 45 s, Track 2 at a unit every 3 s, its sparkline of the run.
    expect(atEnd).toMatch(/00:00:45 +\d\d:\d\d:\d\d UTC/);
    expect(atEnd).toMatch(/elapsed 00:00:45/);
    expect(atEnd).toContain('0.33 u/s');
    expect(atEnd).toMatch(/units\/s \S+ max/);
    // The view's clock ticks on for 30 s (a tick a second, as a view's feed sends them).
    vi.setSystemTime(END + 30_000);
    for (let s = 1; s <= 30; s++) feed.push({ type: 'tick', at: END + s * 1000 });
    // Drawn at the later time (its header's time of day): the figures are those of the end.
    await until(() => expect(d.frame()).toContain(`${hms(END + 30_000)} UTC`));
    const later = d.frame();
    expect(figures(later)).toBe(figures(atEnd));
  });
});

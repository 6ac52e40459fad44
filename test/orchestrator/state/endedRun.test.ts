import { describe, expect, it } from 'vitest';
import type { RunEvent } from '../../../src/orchestrator/state/events.js';
import {
  hostSummaries,
  initialState,
  overall,
  type RunState,
  reduce,
  TRACK_ORDER,
  trackElapsedMs,
  trackEta,
  trackPace,
  trackThroughput,
} from '../../../src/orchestrator/state/runState.js';
import { snapshot } from '../../../src/orchestrator/state/snapshot.js';
import { workerEvent } from '../../support/runEvents.js';

const T0 = Date.parse('2026-12-06T15:00:00Z');
/** The run is stopped 12 s in, as in the session (12 units of Track 2 in 12 s). */
const END = T0 + 12_000;
const UNITS = 12;

/** Track 2 runs a unit a second; Track 1 waits; the user stops the run at END. */
function events(end: RunEvent | undefined): RunEvent[] {
  const out: RunEvent[] = [
    {
      type: 'run_planned',
      at: T0,
      runId: 'r',
      maxAttempts: 3,
      stallMs: 60_000,
      tracks: [
        { track: 'bollinger', total: 6, done: 0, empty: 0, rows: 0, workers: 1 },
        { track: 'regression', total: 48, done: 0, empty: 0, rows: 0, workers: 1 },
        { track: 'extraction', total: 2, done: 0, empty: 0, rows: 0, workers: 1 },
      ],
    },
    { type: 'child_started', at: T0, track: 'regression', pid: 7 },
  ];
  for (let i = 0; i < UNITS; i++) {
    const unit = `eurusd/2024-${String(i + 1).padStart(2, '0')}`;
    out.push(
      workerEvent(T0 + i * 1000, 'regression', 7, { type: 'unit_start', unit, attempt: 1 }),
      workerEvent(T0 + (i + 1) * 1000, 'regression', 7, {
        type: 'unit_done',
        unit,
        rows: 100,
        bytes: 10,
        ms: 1000,
      }),
    );
  }
  if (end) out.push(end);
  return out;
}

/** The state after `events`, then the view's ticks every second for `seconds` more. */
function watched(evs: RunEvent[], seconds: number): RunState {
  const ticks = Array.from({ length: seconds }, (_, i) => ({
    type: 'tick' as const,
    at: END + (i + 1) * 1000,
  }));
  return [...evs, ...ticks].reduce(reduce, initialState(T0));
}

/** Every figure a view shows of a run, as of the state's clock. */
function figures(s: RunState) {
  return {
    elapsed: s.startedAt === undefined ? 0 : s.now - s.startedAt,
    tracks: TRACK_ORDER.map((k) => ({
      elapsed: trackElapsedMs(s.tracks[k], s.now),
      rate: trackThroughput(s.tracks[k], s.now),
      pace: trackPace(s.tracks[k], s.now),
      eta: trackEta(s, k),
    })),
    overall: overall(s),
    hosts: hostSummaries(s),
    snapshot: snapshot(s),
  };
}

const stopped: RunEvent = {
  type: 'run_finished',
  at: END,
  status: 'interrupted',
  exitCode: 130,
  message: 'stopped by the user',
};
const lost: RunEvent = { type: 'run_lost', at: END, message: 'its supervisor is gone' };

describe('the figures of an ended run', () => {
  it.each([
    { how: 'stopped', end: stopped },
    { how: 'lost', end: lost },
  ])('freeze at its end when it was $how: 57 s later a view shows the same', ({ end }) => {
    const atEnd = watched(events(end), 0);
    const later = watched(events(end), 57);
    expect(later.endedAt).toBe(END);
    expect(figures(later)).toEqual(figures(atEnd));
    // The figures are the end's: 12 s elapsed and a unit a second, not 12 units over 69 s.
    expect(figures(later).elapsed).toBe(12_000);
    expect(trackElapsedMs(later.tracks.regression, later.now)).toBe(12_000);
    expect(trackThroughput(later.tracks.regression, later.now)?.unitsPerSec).toBeCloseTo(1, 6);
    expect(later.hosts.h?.done).toBe(UNITS);
    expect(hostSummaries(later).find((h) => h.host === 'h')?.unitsPerSec).toBeCloseTo(1, 6);
    // The time of day goes on: only the run's figures stop.
    expect(later.clock).toBe(END + 57_000);
  });

  it('go on with the clock while the run has not ended (the test above can fail)', () => {
    const live = watched(events(undefined), 57);
    expect(live.endedAt).toBeUndefined();
    expect(figures(live).elapsed).toBe(69_000);
    expect(trackThroughput(live.tracks.regression, live.now)?.unitsPerSec).toBeCloseTo(12 / 69, 6);
    expect(trackPace(live.tracks.regression, live.now).length).toBeGreaterThan(
      trackPace(live.tracks.regression, END).length,
    );
  });

  it('keep the end the supervisor published, even when the view ran ahead of it', () => {
    // The view's clock (its ticks) is 3 s ahead of the supervisor's, which stamps the end.
    const s = [...events(undefined), { type: 'tick', at: END + 3000 } as RunEvent, stopped].reduce(
      reduce,
      initialState(T0),
    );
    expect(s.now).toBe(END);
    expect(figures(s).elapsed).toBe(12_000);
    expect(s.clock).toBe(END + 3000);
  });
});

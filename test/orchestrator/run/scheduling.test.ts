import { describe, expect, it } from 'vitest';
import {
  demand,
  settle,
  supervisionEnd,
  workerCaps,
} from '../../../src/orchestrator/run/scheduling.js';
import { PRIOR_UNIT_MS } from '../../../src/orchestrator/state/estimate.js';
import {
  initialState,
  type RunState,
  type TrackState,
} from '../../../src/orchestrator/state/runState.js';
import type { TrackName } from '../../../src/tracks/protocol/events.js';

/** A state whose `track` has the given counts (the rest as a fresh run's). */
function withTrack(track: TrackName, t: Partial<TrackState>, base = initialState(0)): RunState {
  return { ...base, tracks: { ...base.tracks, [track]: { ...base.tracks[track], ...t } } };
}

const running = (n: number) =>
  Array.from({ length: n }, (_, i) => ({
    unit: `u${i}`,
    pid: 100 + i,
    host: 'h',
    remote: false,
    attempt: 1,
    activity: undefined,
  })) as unknown as TrackState['running'];

describe('workerCaps', () => {
  const plans = (todo: Record<TrackName, number>) =>
    (Object.keys(todo) as TrackName[]).map((track) => ({
      track,
      todo: Array.from({ length: todo[track] }, (_, i) => ({ track, unit: `u${i}` })),
    }));
  it.each([
    {
      why: 'no setting: the budget each',
      todo: { bollinger: 5, regression: 5, extraction: 5 },
      workers: {},
      budget: 4,
      caps: { bollinger: 4, regression: 4, extraction: 4 },
    },
    {
      why: 'a setting within the budget holds',
      todo: { bollinger: 5, regression: 5, extraction: 5 },
      workers: { regression: 2 },
      budget: 4,
      caps: { bollinger: 4, regression: 2, extraction: 4 },
    },
    {
      why: 'a setting over the budget is cut to it',
      todo: { bollinger: 5, regression: 5, extraction: 5 },
      workers: { bollinger: 9 },
      budget: 3,
      caps: { bollinger: 3, regression: 3, extraction: 3 },
    },
    {
      why: 'nothing to do: no workers',
      todo: { bollinger: 0, regression: 1, extraction: 0 },
      workers: { bollinger: 2 },
      budget: 2,
      caps: { bollinger: 0, regression: 2, extraction: 0 },
    },
  ])('$why', ({ todo, workers, budget, caps }) => {
    expect(workerCaps(plans(todo), workers, budget)).toEqual(caps);
  });
});

describe('demand', () => {
  it.each([
    { why: 'nothing left', total: 4, done: 4, running: 0, units: 0 },
    { why: 'all queued', total: 6, done: 0, running: 0, units: 6 },
    { why: 'some running', total: 6, done: 2, running: 2, units: 4 },
  ])('$why: $units unit(s) a worker can be busy with', ({ total, done, running: n, units }) => {
    const d = demand(withTrack('regression', { total, done, running: running(n) }), 'regression');
    expect(d.units).toBe(units);
    if (units === 0) expect(d.work).toBe(0);
    else expect(d.work).toBeGreaterThan(0);
  });

  it('without measurements, the queued units weigh their prior', () => {
    const d = demand(withTrack('extraction', { total: 3 }), 'extraction');
    expect(d.work).toBe(3 * PRIOR_UNIT_MS.extraction);
  });
});

describe('settle', () => {
  it.each([
    {
      why: 'failed units',
      t: { total: 5, done: 3, failed: 2 },
      status: 'failed',
      reason: '2 unit(s) failed',
    },
    {
      why: 'all done',
      t: { total: 5, done: 4, noData: 1 },
      status: 'complete',
      reason: 'complete',
    },
    {
      why: 'units left to workers elsewhere',
      t: { total: 5, done: 2 },
      status: 'complete',
      reason: 'complete here; 3 unit(s) were left to workers elsewhere',
    },
  ])('$why: $status', ({ t, status, reason }) => {
    expect(settle(withTrack('bollinger', t), 'bollinger')).toEqual({ status, reason });
  });
});

describe('supervisionEnd', () => {
  const complete = (['bollinger', 'regression', 'extraction'] as const).reduce(
    (s, t) => withTrack(t, { status: 'complete' }, s),
    initialState(0),
  );
  it.each([
    {
      why: 'a stop comes first, whatever the tracks',
      state: withTrack('bollinger', { status: 'failed' }, complete),
      stop: { mode: 'graceful' as const, exitCode: 130 },
      end: { kind: 'stopped', stop: { mode: 'graceful', exitCode: 130 }, beforeAnyUnit: false },
    },
    {
      why: 'every track complete',
      state: complete,
      stop: undefined,
      end: { kind: 'finished', failed: [] },
    },
    {
      why: 'tracks not complete are named',
      state: withTrack('extraction', { status: 'failed' }, complete),
      stop: undefined,
      end: { kind: 'finished', failed: ['extraction'] },
    },
  ])('$why', ({ state, stop, end }) => {
    expect(supervisionEnd(state, stop)).toEqual(end);
  });
});

import { afterEach, describe, expect, it } from 'vitest';
import type { RunEvent } from '../../src/orchestrator/state/events.js';
import { initialState, type RunState, reduce } from '../../src/orchestrator/state/runState.js';
import { fixedFeed, showDashboard, unmountAll, until } from '../support/dashboard.js';

afterEach(unmountAll);

/** A run whose plan recomputes `stale` units of Track 2 because their inputs changed. */
function planned(stale: number): RunState {
  const t0 = Date.parse('2026-12-06T10:00:00Z');
  const events: RunEvent[] = [
    {
      type: 'run_planned',
      at: t0,
      runId: '20261206-100000-abcd',
      maxAttempts: 3,
      stallMs: 60_000,
      tracks: [
        { track: 'bollinger', total: 12, done: 10, empty: 2, rows: 0, workers: 0 },
        { track: 'regression', total: 12, done: 8, empty: 1, rows: 0, workers: 1, stale },
        { track: 'extraction', total: 2, done: 2, empty: 0, rows: 0, workers: 0 },
      ],
    },
    { type: 'child_started', at: t0, track: 'regression', pid: 12 },
    { type: 'track_state', at: t0, track: 'regression', status: 'running', reason: 'running' },
    { type: 'tick', at: t0 + 5000 },
  ];
  return events.reduce(reduce, initialState(t0));
}

/** The dashboard's frame at 80×24 once it shows the running track. */
async function frameAt80x24(state: RunState): Promise<string> {
  const r = showDashboard({ feed: fixedFeed(state), columns: 80, rows: 24 });
  await until(() => expect(r.frame()).toContain('[RUNNING]'));
  return r.frame();
}

describe("the track panel's stale count", () => {
  it('shows the stale units of a track beside its no-data count, and 80×24 stays whole', async () => {
    const stale = 2;
    const frame = await frameAt80x24(planned(stale));
    const t2 = frame.split('Track 2 Regression')[1]!.split('Track 3 Extraction')[0]!;
    expect(t2).toMatch(new RegExp(`no data 1 +stale ${stale} `));
    const lines = frame.split('\n');
    expect(lines.length).toBeLessThanOrEqual(23);
    for (const l of lines) expect(l.length).toBeLessThanOrEqual(80);
    expect(frame).toContain('Overall');
  });

  it('says nothing of stale units when no unit is stale', async () => {
    expect(await frameAt80x24(planned(0))).not.toMatch(/stale/);
  });
});

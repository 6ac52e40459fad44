import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterEach, describe, expect, it } from 'vitest';
import type { RunEvent } from '../../../src/orchestrator/state/events.js';
import { supervisorWorkers } from '../../../src/orchestrator/state/hosts.js';
import {
  initialState,
  type RunState,
  reduce,
  TRACK_ORDER as TRACKS,
} from '../../../src/orchestrator/state/runState.js';
import type { Demand } from '../../../src/orchestrator/supervisor/supervisorOptions.js';
import { Supervisor } from '../../../src/orchestrator/supervisor/supervisor.js';
import type { TrackName } from '../../../src/tracks/protocol/events.js';

/*
 * The budget as a user moves it: `+` past it, `-` back, and a pause lending its slots.
 * Real fixture workers (`until-term`: units of ~0.5 s until SIGTERM, then the unit ends).
 */

const FIXTURE = path.resolve(
  path.dirname(fileURLToPath(import.meta.url)),
  '../../fixtures/workers/fixtureWorker.mjs',
);

/** No history: the state's estimates go by the run's own measures. */
const NO_HISTORY = {} as Extract<RunEvent, { type: 'run_history' }>['tracks'];

const cleanups: Array<() => Promise<void>> = [];
afterEach(async () => {
  for (const c of cleanups.splice(0)) await c();
});

/** A supervisor of fixture workers with a budget, its events and the state they make. */
function harness(o: {
  caps: Partial<Record<TrackName, number>>;
  budget: number;
  demand: Partial<Record<TrackName, Demand>>;
}) {
  const events: RunEvent[] = [];
  let state: RunState = reduce(initialState(Date.now()), {
    type: 'run_history',
    at: Date.now(),
    tracks: NO_HISTORY,
    budget: {
      budget: o.budget,
      caps: { bollinger: 0, regression: 0, extraction: 0, ...o.caps },
    },
  });
  let spawned = 0;
  const sup = new Supervisor({
    tracks: TRACKS.map((track) => ({ track, workers: o.caps[track] ?? 0 })),
    budget: o.budget,
    demand: (t) => o.demand[t] ?? { work: 0, units: 0 },
    command: (t) => ({ file: process.execPath, args: [FIXTURE, `until-term:${spawned++}`, t] }),
    maxRestarts: 0,
    graceMs: 5000,
    dispatch: (ev) => {
      events.push(ev);
      state = reduce(state, ev);
    },
  });
  cleanups.push(() => sup.stopAll());
  const live = (t: TrackName) => state.tracks[t].workers.length;
  /** Workers of tracks not paused, as the state counts them. */
  const busy = (s: RunState) =>
    TRACKS.reduce(
      (n, t) => n + (s.tracks[t].status === 'paused' ? 0 : s.tracks[t].workers.length),
      0,
    );
  return {
    sup,
    events,
    live,
    busy,
    get state() {
      return state;
    },
  };
}

const budgets = (events: readonly RunEvent[]) =>
  events.flatMap((e) => (e.type === 'track_workers' ? [e.budget] : []));

describe('the run budget as + and - and pauses move it', { timeout: 120_000 }, () => {
  it('+ with every slot busy starts the worker now, raising the budget; - gives it back', async () => {
    const h = harness({
      caps: { bollinger: 1 },
      budget: 1,
      demand: { bollinger: { work: 9, units: 9 } },
    });
    h.sup.start();
    await expect.poll(() => h.live('bollinger'), { timeout: 30_000 }).toBe(1);
    // Past the track's limit and the run's budget: both go up by one.
    expect(h.sup.addWorker('bollinger')).toEqual({
      ok: true,
      text: '2 worker(s) now; 2 busy at most this run (raised by "+")',
    });
    expect(h.state.budget?.budget).toBe(2);
    expect(h.state.tracks.bollinger.plannedWorkers).toBe(2);
    await expect.poll(() => h.live('bollinger'), { timeout: 30_000 }).toBe(2);
    const removed = h.sup.removeWorker('bollinger');
    expect(removed.text).toMatch(/^1 worker\(s\) now: worker \d+ stops /);
    expect(budgets(h.events)).toEqual([2, 1]);
    expect(h.state.budget?.budget).toBe(1);
    await expect.poll(() => h.live('bollinger'), { timeout: 30_000 }).toBe(1);
    // Only what cannot work is refused, and it says why.
    const none = harness({
      caps: { bollinger: 1 },
      budget: 2,
      demand: { bollinger: { work: 9, units: 1 } },
    });
    none.sup.start();
    await expect.poll(() => none.live('bollinger'), { timeout: 30_000 }).toBe(1);
    expect(none.sup.addWorker('bollinger').text).toBe(
      'refused: no unit waits for another worker (1 left for 1)',
    );
    expect(none.sup.addWorker('regression').text).toBe('refused: it is complete');
  });

  it("takes back a paused track's lent slots on resume: the borrowers finish their unit and leave", async () => {
    const h = harness({
      caps: { bollinger: 2, regression: 2 },
      budget: 2,
      demand: { bollinger: { work: 100, units: 9 }, regression: { work: 10, units: 9 } },
    });
    h.sup.start();
    await expect.poll(() => h.live('bollinger'), { timeout: 30_000 }).toBe(2);
    expect(h.state.tracks.regression.status).toBe('waiting');
    // Paused, Track 1 lends its two slots to Track 2.
    expect(h.sup.pause('bollinger').text).toBe('paused');
    await expect.poll(() => h.live('regression'), { timeout: 30_000 }).toBe(2);
    // Each borrower at a unit: it has one to finish before it leaves.
    await expect.poll(() => h.state.tracks.regression.running.length, { timeout: 30_000 }).toBe(2);
    const borrowers = [...h.state.tracks.regression.workers];
    const resumedAt = h.events.length;
    expect(h.sup.resume('bollinger').text).toBe(
      'resumed; 2 worker(s) of other tracks leave after their unit',
    );
    await expect.poll(() => h.live('regression'), { timeout: 30_000 }).toBe(0);
    // Track 2 has units left: it waits for a slot, it has not ended.
    expect(h.state.tracks.regression.status).toBe('waiting');
    const after = h.events.slice(resumedAt);
    for (const pid of borrowers) {
      // Each left as asked, after finishing the unit it had.
      const its = after.filter((e) => e.type === 'worker_event' && e.pid === pid);
      expect(
        its.findLast((e) => e.type === 'worker_event' && e.event.type.startsWith('unit_')),
      ).toMatchObject({ event: { type: 'unit_done' } });
      expect(after.find((e) => e.type === 'child_exited' && e.pid === pid)).toMatchObject({
        expected: true,
        code: 0,
      });
    }
    // Over the budget only until the borrowers' units ended; within it from then on.
    let s = reduce(initialState(0), {
      type: 'run_history',
      at: 0,
      tracks: NO_HISTORY,
      budget: h.state.budget!,
    });
    const lastExit = Math.max(
      ...borrowers.map((pid) =>
        h.events.findIndex((e) => e.type === 'child_exited' && e.pid === pid),
      ),
    );
    h.events.forEach((e, i) => {
      s = reduce(s, e);
      if (i < resumedAt || i >= lastExit)
        expect(h.busy(s), `after event ${i}`).toBeLessThanOrEqual(2);
    });
    expect(h.busy(h.state)).toBe(2);
    // Every panel counts the same processes: those alive now.
    expect(supervisorWorkers(h.state)).toBe(h.sup.pids().length);
  });
});

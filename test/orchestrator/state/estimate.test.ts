import { describe, expect, it } from 'vitest';
import type { RunEvent } from '../../../src/orchestrator/state/events.js';
import {
  nextTrack,
  fromPriors,
  PRIOR_UNIT_MS,
  remainingWork,
  simulate,
  WORKER_STARTUP_PRIOR_MS,
  type TrackHistory,
} from '../../../src/orchestrator/state/estimate.js';
import {
  initialState,
  overall,
  reduce,
  trackEta,
} from '../../../src/orchestrator/state/runState.js';
import { closingSeconds } from '../../../src/orchestrator/state/trackProgress.js';
import type { TrackName } from '../../../src/tracks/protocol/events.js';
import { workerEvent } from '../../support/runEvents.js';

const units = (n: number, ms: number | null) =>
  Array.from({ length: n }, (_, i) => ({
    unit: `eurusd/2024-${String(i + 1).padStart(2, '0')}`,
    ms,
  }));

const history = (todo: TrackHistory['todo'], doneMs: number | null = null): TrackHistory => ({
  todo,
  doneMs,
  emptyMs: null,
  emptyShare: 0,
});

/** A run planned with these per-track histories, `budget` workers, each track capped at `cap`. */
function planned(h: Record<TrackName, TrackHistory>, budget: number, cap = budget) {
  const events: RunEvent[] = [
    {
      type: 'run_planned',
      at: 0,
      runId: 'r',
      maxAttempts: 3,
      stallMs: 60_000,
      tracks: (Object.keys(h) as TrackName[]).map((track) => ({
        track,
        total: h[track].todo.length,
        done: 0,
        empty: 0,
        rows: 0,
        workers: cap,
      })),
    },
    {
      type: 'run_history',
      at: 0,
      tracks: h,
      budget: { budget, caps: { bollinger: cap, regression: cap, extraction: cap } },
    },
  ];
  return events.reduce(reduce, initialState(0));
}

describe('the ETA', () => {
  it('is known from the first second when every unit has a recorded time', () => {
    const s = planned(
      {
        bollinger: history(units(4, 1_000)),
        regression: history(units(2, 10_000)),
        extraction: history([]),
      },
      1,
    );
    // One worker: regression first (the largest units), then bollinger: 20 s + 4 s, each after
    // its worker's start (none measured yet: the prior, 1 s).
    const start = WORKER_STARTUP_PRIOR_MS / 1000;
    expect(trackEta(s, 'regression')).toBeCloseTo(start + 20, 6);
    expect(trackEta(s, 'bollinger')).toBeCloseTo(2 * start + 24, 6);
    // Then the run ANALYZEs what it wrote: 4 Bollinger and 2 × 2 regression partitions.
    expect(closingSeconds(s)).toBeCloseTo(8 * 0.025, 6);
    expect(overall(s).eta).toBeCloseTo(2 * start + 24 + 8 * 0.025, 6);
  });

  it('counts the workers a track gets once the others have ended', () => {
    const s = planned(
      {
        bollinger: history(units(4, 1_000)),
        regression: history(units(8, 2_000)),
        extraction: history([]),
      },
      2,
    );
    // Two workers, both to the largest units first: regression's 16 s of work and two
    // worker starts of 1 s take 9 s, then its two slots go to bollinger: 4 s of work and
    // two starts in 3 s more.
    expect(trackEta(s, 'regression')).toBeCloseTo(9, 6);
    expect(trackEta(s, 'bollinger')).toBeCloseTo(12, 6);
  });

  it("follows this run's pace: units twice slower than their history make the rest slower", () => {
    let s = planned(
      { bollinger: history(units(10, 1_000)), regression: history([]), extraction: history([]) },
      1,
    );
    for (let i = 0; i < 5; i++) {
      s = reduce(
        s,
        workerEvent(i * 2_000, 'bollinger', 5, {
          type: 'unit_done',
          unit: units(10, 0)[i]!.unit,
          rows: 1,
          bytes: 1,
          ms: 2_000,
        }),
      );
    }
    // The whole run's pace: (5 × 2 s + 3 × 1 s) / (5 × 1 s + 3 × 1 s) = 13 / 8; the track's
    // own, pulled towards it: (5 × 2 s + 3 × 13/8 s) / (5 × 1 s + 3 × 1 s); on 5 units of 1 s.
    const own = (10 + 3 * (13 / 8)) / 8;
    const w = remainingWork(s, 'bollinger')!;
    expect(w.units).toBe(5);
    expect(w.ms).toBeCloseTo(5 * 1_000 * own, 6);
  });

  it('has no estimate without history until units have finished, then their median', () => {
    const s = planned(
      { bollinger: history(units(3, null)), regression: history([]), extraction: history([]) },
      1,
    );
    expect(trackEta(s, 'bollinger')).toBeUndefined();
    const after = reduce(
      s,
      workerEvent(3_000, 'bollinger', 5, {
        type: 'unit_done',
        unit: units(3, 0)[0]!.unit,
        rows: 1,
        bytes: 1,
        ms: 3_000,
      }),
    );
    expect(remainingWork(after, 'bollinger')).toEqual({ ms: 6_000, units: 2 });
  });

  it('estimates a track nothing is known of from the priors, at the pace of the tracks that have finished units', () => {
    const s = planned(
      {
        bollinger: history(units(4, null)),
        regression: history(units(3, null)),
        extraction: history([]),
      },
      2,
    );
    // Nothing has finished anywhere: no estimate, no ETA.
    expect(fromPriors(s, 'bollinger')).toBeUndefined();
    expect(remainingWork(s, 'bollinger')).toBeUndefined();
    // A regression unit took twice its prior: a bollinger unit is expected at twice its own.
    const after = reduce(
      s,
      workerEvent(3_000, 'regression', 5, {
        type: 'unit_done',
        unit: units(3, 0)[0]!.unit,
        rows: 1,
        bytes: 1,
        ms: 2 * PRIOR_UNIT_MS.regression,
      }),
    );
    expect(fromPriors(after, 'bollinger')).toBeCloseTo(2 * PRIOR_UNIT_MS.bollinger, 6);
    expect(remainingWork(after, 'bollinger')).toEqual({
      ms: 4 * 2 * PRIOR_UNIT_MS.bollinger,
      units: 4,
    });
    expect(overall(after).eta).toBeDefined();
  });

  it('gives a free worker to the track with the largest units, never past its cap', () => {
    const pick = nextTrack([
      { name: 'a', work: 10, units: 5, workers: 1, cap: 4 },
      { name: 'b', work: 30, units: 5, workers: 2, cap: 4 },
      { name: 'c', work: 99, units: 5, workers: 1, cap: 1 },
      { name: 'd', work: 99, units: 1, workers: 1, cap: 4 },
    ]);
    expect(pick?.name).toBe('b');
    // Four units of 12 s before 48 of 1.6 s: the small ones fill the slots at the end.
    const large = nextTrack([
      { name: 'regression', work: 48 * 1_600, units: 48, workers: 0, cap: 2 },
      { name: 'extraction', work: 4 * 12_000, units: 4, workers: 0, cap: 2 },
    ]);
    expect(large?.name).toBe('extraction');
    // Units alike: the most work first.
    const tie = nextTrack([
      { name: 'a', work: 10, units: 5, workers: 0, cap: 2 },
      { name: 'b', work: 20, units: 10, workers: 0, cap: 2 },
    ]);
    expect(tie?.name).toBe('b');
  });

  it('ends where the simulation of the scheduler says, with slots moving on', () => {
    const s = planned(
      {
        bollinger: history(units(2, 1_000)),
        regression: history(units(2, 1_000)),
        extraction: history(units(2, 1_000)),
      },
      2,
      1,
    );
    const ends = simulate(s, s.budget!);
    // Caps of one: two tracks run 1 s of start and 2 s each, the third starts at 3 s and
    // ends at 6 s.
    expect(WORKER_STARTUP_PRIOR_MS).toBe(1_000);
    expect(Object.values(ends).sort()).toEqual([3_000, 3_000, 6_000]);
  });
});

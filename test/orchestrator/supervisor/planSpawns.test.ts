import { describe, expect, it } from 'vitest';
import {
  busyWorkers,
  planSpawns,
  type SlotLoad,
} from '../../../src/orchestrator/supervisor/planSpawns.js';
import type { Demand } from '../../../src/orchestrator/supervisor/supervisorOptions.js';
import type { TrackName } from '../../../src/tracks/protocol/events.js';

/** A slot with a cap of 2, waiting, no workers; `o` overrides. */
const slot = (track: TrackName, o: Partial<SlotLoad> = {}): SlotLoad => ({
  track,
  status: 'waiting',
  drainingForRestart: false,
  cap: 2,
  workers: 0,
  ...o,
});

type Demands = Partial<Record<TrackName, Demand>>;

describe('planSpawns: which track gets a new worker', () => {
  const cases: Array<[string, SlotLoad[], Demands, number, TrackName[]]> = [
    [
      'the largest units first, then the next as the budget allows',
      [slot('bollinger'), slot('regression')],
      { bollinger: { work: 10, units: 5 }, regression: { work: 100, units: 5 } },
      2,
      // regression with one worker (100) still outweighs bollinger (10).
      ['regression', 'regression'],
    ],
    [
      'the largest units first, even before more work of smaller ones',
      [slot('bollinger', { cap: 3 }), slot('extraction', { cap: 3 })],
      { bollinger: { work: 60, units: 30 }, extraction: { work: 40, units: 2 } },
      3,
      // Units of 20 before units of 2; no more workers than units: the third to bollinger.
      ['extraction', 'extraction', 'bollinger'],
    ],
    [
      'never past a track cap',
      [slot('bollinger', { cap: 1 }), slot('regression', { cap: 1 })],
      { bollinger: { work: 10, units: 5 }, regression: { work: 100, units: 5 } },
      4,
      ['regression', 'bollinger'],
    ],
    [
      'no more workers than units',
      [slot('extraction', { cap: 4 })],
      { extraction: { work: 100, units: 1 } },
      4,
      ['extraction'],
    ],
    [
      'nothing when the budget is taken',
      [slot('bollinger', { status: 'running', workers: 2 }), slot('regression')],
      { bollinger: { work: 10, units: 5 }, regression: { work: 100, units: 5 } },
      2,
      [],
    ],
    [
      "a paused track's workers leave their slots to the others",
      [slot('bollinger', { status: 'paused', workers: 2 }), slot('regression')],
      { bollinger: { work: 10, units: 5 }, regression: { work: 100, units: 5 } },
      2,
      ['regression', 'regression'],
    ],
    [
      'none to a track draining for a restart, nor to one that ended',
      [
        slot('bollinger', { status: 'restarting', drainingForRestart: true, workers: 1 }),
        slot('regression', { status: 'complete' }),
        slot('extraction', { status: 'restarting' }),
      ],
      {
        bollinger: { work: 100, units: 5 },
        regression: { work: 100, units: 5 },
        extraction: { work: 1, units: 5 },
      },
      3,
      ['extraction', 'extraction'],
    ],
    [
      'without a demand, as many as its cap',
      [slot('bollinger', { cap: 3, workers: 1, status: 'running' })],
      {},
      5,
      ['bollinger', 'bollinger'],
    ],
    ['no work left: none', [slot('bollinger')], { bollinger: { work: 0, units: 0 } }, 2, []],
  ];
  it.each(cases)('%s', (_name, slots, demand, budget, expected) => {
    expect(planSpawns(slots, demand, budget)).toEqual(expected);
  });
});

describe('busyWorkers', () => {
  it.each<[SlotLoad[], number]>([
    [[], 0],
    [[slot('bollinger', { workers: 2 }), slot('regression', { workers: 1 })], 3],
    [[slot('bollinger', { workers: 2, status: 'paused' }), slot('regression', { workers: 1 })], 1],
  ])('counts the workers of tracks not paused (%#)', (slots, expected) => {
    expect(busyWorkers(slots)).toBe(expected);
  });
});

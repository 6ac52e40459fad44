import { describe, expect, it } from 'vitest';
import {
  continuedAt,
  type PauseLog,
  pausedBetween,
  stoppedAt,
  workingMs,
} from '../../../src/orchestrator/supervisor/unitClock.js';

describe('the unit clock: time at work, paused time left out', () => {
  it('keeps one open stop at a time, and closes only an open one', () => {
    let log: PauseLog = [];
    log = continuedAt(log, 5);
    expect(log).toEqual([]);
    log = stoppedAt(log, 10);
    log = stoppedAt(log, 12);
    expect(log).toEqual([{ from: 10, to: undefined }]);
    log = continuedAt(log, 30);
    log = continuedAt(log, 40);
    expect(log).toEqual([{ from: 10, to: 30 }]);
    log = stoppedAt(log, 50);
    expect(log).toEqual([
      { from: 10, to: 30 },
      { from: 50, to: undefined },
    ]);
  });

  const log: PauseLog = [
    { from: 100, to: 200 },
    { from: 300, to: 350 },
  ];
  it.each<[string, PauseLog, number, number, number]>([
    ['no stop', [], 0, 1000, 0],
    ['every stop inside the unit', log, 50, 1000, 150],
    ['a stop begun before the unit counts from its start', log, 150, 1000, 100],
    ['a stop after the unit does not count', log, 0, 250, 100],
    ['a stop still open counts up to now', [{ from: 100, to: undefined }], 0, 400, 300],
    ['a unit started after every stop', log, 400, 1000, 0],
  ])('%s', (_name, l, from, now, paused) => {
    expect(pausedBetween(l, from, now)).toBe(paused);
  });

  it.each<[number, PauseLog, number, number, number]>([
    [900, log, 50, 950, 750],
    [900, [], 50, 950, 900],
    // The worker's own clock may say less than the pause (it measured from later on).
    [100, log, 50, 950, 0],
  ])('a unit of %i ms wall time works %#', (wall, l, from, now, expected) => {
    expect(workingMs(wall, l, from, now)).toBe(expected);
  });
});

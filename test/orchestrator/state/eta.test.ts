import { describe, expect, it } from 'vitest';
import { etaSeconds, formatDuration, throughput } from '../../../src/orchestrator/state/eta.js';

describe('throughput', () => {
  it.each([
    { name: 'nothing finished yet', finishes: [], startedAt: 0, now: 10_000, want: undefined },
    {
      name: 'few finishes: since the track started',
      finishes: [{ at: 5_000, rows: 100 }],
      startedAt: 0,
      now: 10_000,
      want: { unitsPerSec: 0.1, rowsPerSec: 10 },
    },
    {
      name: 'three or more recent: over the last two minutes only',
      finishes: [
        { at: 1_000, rows: 1 },
        { at: 200_000, rows: 10 },
        { at: 230_000, rows: 10 },
        { at: 260_000, rows: 10 },
      ],
      startedAt: 0,
      now: 300_000,
      want: { unitsPerSec: 3 / 120, rowsPerSec: 30 / 120 },
    },
  ])('$name', ({ finishes, startedAt, now, want }) => {
    const got = throughput(finishes, startedAt, now);
    if (want === undefined) expect(got).toBeUndefined();
    else {
      expect(got?.unitsPerSec).toBeCloseTo(want.unitsPerSec, 9);
      expect(got?.rowsPerSec).toBeCloseTo(want.rowsPerSec, 9);
    }
  });
});

describe('etaSeconds', () => {
  it.each([
    { remaining: 0, rate: undefined, want: 0 },
    { remaining: 10, rate: undefined, want: undefined },
    { remaining: 10, rate: { unitsPerSec: 0, rowsPerSec: 0 }, want: undefined },
    { remaining: 10, rate: { unitsPerSec: 2, rowsPerSec: 0 }, want: 5 },
    { remaining: 672, rate: { unitsPerSec: 0.5, rowsPerSec: 0 }, want: 1344 },
  ])('$remaining units at $rate.unitsPerSec/s → $want s', ({ remaining, rate, want }) => {
    expect(etaSeconds(remaining, rate)).toBe(want);
  });
});

describe('formatDuration', () => {
  it.each([
    [undefined, '—'],
    [Number.POSITIVE_INFINITY, '—'],
    [0, '0s'],
    [12.4, '12s'],
    [249, '4m 09s'],
    [7500, '2h 05m'],
    [-3, '0s'],
  ])('%s → %s', (s, want) => {
    expect(formatDuration(s)).toBe(want);
  });
});

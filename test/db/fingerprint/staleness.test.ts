import { describe, expect, it } from 'vitest';
import type { Fingerprint } from '../../../src/db/fingerprint/fingerprint.js';
import { judgeUnit } from '../../../src/db/fingerprint/staleness.js';

const fp = (parts: Fingerprint['parts'], code = 1, settings = ''): Fingerprint => ({
  code,
  settings,
  parts,
});
const T1 = (month: [number, string], back: [number, string] = [120, '7']) =>
  fp({ 'bqx_eurusd(x)@2024-09': month, 'bqx_eurusd(x)<2024-09#120': back });
const done = (f: Fingerprint) => ({ status: 'done' as const, fingerprint: f });

describe('a unit’s verdict from its recorded fingerprint and the sources now', () => {
  const base = T1([31_560, '42']);
  it.each([
    ['never run', undefined, base, {}, 'never run'],
    ['failed', { status: 'failed' as const, fingerprint: null }, base, {}, 'failed'],
    ['forced', done(base), base, { forced: true }, 'forced (--recompute)'],
    [
      'a no-data month that filled',
      { status: 'empty' as const, fingerprint: T1([0, '0']) },
      base,
      {},
      'new rows (31,560 now, none before)',
    ],
    [
      'a month still growing',
      done(T1([1_000, '1'])),
      base,
      {},
      'new rows (31,560 now, 1,000 before)',
    ],
    ['minutes deleted', done(T1([31_563, '9'])), base, {}, 'rows changed (3 minutes deleted)'],
    ['one minute deleted', done(T1([31_561, '9'])), base, {}, 'rows changed (1 minute deleted)'],
    ['a value corrected in place', done(T1([31_560, '41'])), base, {}, 'values changed'],
    [
      'a look-back row changed',
      done(T1([31_560, '42'], [120, '8'])),
      base,
      {},
      'look-back changed (2024-08 changed)',
    ],
    [
      'a newer feature code',
      done(fp(base.parts, 1)),
      fp(base.parts, 2),
      {},
      'feature code v1 → v2',
    ],
    ['an output gone', done(base), base, { outputMissing: true }, 'output missing'],
  ])('%s', (_what, recorded, now, facts, reason) => {
    expect(judgeUnit(recorded, now, facts)).toEqual({ stale: true, reason });
  });

  it('is up to date when nothing moved, even with the kept parts listed in another order', () => {
    const reordered = fp({
      'bqx_eurusd(x)<2024-09#120': [120, '7'],
      'bqx_eurusd(x)@2024-09': [31_560, '42'],
    });
    expect(judgeUnit(done(base), reordered)).toEqual({ stale: false, reason: 'up to date' });
  });

  it('names the month when a unit reads several (Track 3)', () => {
    const before = fp({ 'p(*)@2024-07': [10, '1'], 'p(*)@2024-08': [10, '2'] });
    const now = fp({
      'p(*)@2024-07': [10, '1'],
      'p(*)@2024-08': [10, '2'],
      'p(*)@2024-09': [5, '3'],
    });
    expect(judgeUnit(done(before), now).reason).toBe('new rows in 2024-09 (5 now, none before)');
    const fixed = fp({ 'p(*)@2024-07': [10, '9'], 'p(*)@2024-08': [10, '2'] });
    expect(judgeUnit(done(before), fixed).reason).toBe('values changed in 2024-07');
  });
});

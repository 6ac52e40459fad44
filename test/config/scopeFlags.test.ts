import { describe, expect, it } from 'vitest';
import { parseMonth } from '../../src/config/months.js';
import { parseScopeFlags, scopeFlagWords } from '../../src/config/scopeFlags.js';
import { describeScopeLine, narrowScope, type Scope } from '../../src/db/dataset.js';

const m = (s: string) => parseMonth(s)!;

describe('the scope flags', () => {
  it.each([
    [
      { tracks: 'bolinger' },
      '--tracks: "bolinger" is not a track (bollinger, regression, extraction)',
    ],
    [{ tracks: 'bollinger,' }, '--tracks: an empty name in the list'],
    [{ pairs: 'EURUSD' }, '--pairs: "EURUSD" is not a pair: six lower-case letters, e.g. eurusd'],
    [{ pairs: 'eur-usd' }, '--pairs: "eur-usd" is not a pair: six lower-case letters, e.g. eurusd'],
    [{ from: '2024-13' }, '--from 2024-13: month 13 is out of range (01 to 12)'],
    [{ to: '2024-00' }, '--to 2024-00: month 0 is out of range (01 to 12)'],
    [{ from: '2024-7' }, '--from 2024-7: expected a month written YYYY-MM'],
    [{ from: '2024-09', to: '2024-08' }, '--from 2024-09 is after --to 2024-08'],
  ])('refuses %j: %s', (flags, message) => {
    expect(() => parseScopeFlags(flags)).toThrow(message);
    try {
      parseScopeFlags(flags);
    } catch (err) {
      expect((err as { exitCode: number }).exitCode).toBe(2);
      expect((err as Error).message).toBe(message);
    }
  });

  it('says every problem at once, one line each', () => {
    expect(() => parseScopeFlags({ tracks: 'x', from: '2024-13' })).toThrow(
      '--tracks: "x" is not a track (bollinger, regression, extraction)\n--from 2024-13: month 13 is out of range (01 to 12)',
    );
  });

  it('gives nothing for no flag, and the flags as words again', () => {
    expect(parseScopeFlags({})).toBeUndefined();
    const n = parseScopeFlags({
      tracks: 'regression,bollinger,regression',
      pairs: 'usdjpy, eurusd',
      from: '2024-08',
      to: '2024-09',
    });
    expect(n).toEqual({
      tracks: ['regression', 'bollinger'],
      pairs: ['usdjpy', 'eurusd'],
      from: m('2024-08'),
      to: m('2024-09'),
    });
    expect(scopeFlagWords(n)).toEqual([
      '--tracks',
      'regression,bollinger',
      '--pairs',
      'usdjpy,eurusd',
      '--from',
      '2024-08',
      '--to',
      '2024-09',
    ]);
  });
});

describe('a narrowed scope', () => {
  const scope: Scope = {
    pairs: ['eurusd', 'gbpusd', 'usdjpy'],
    bollinger: { from: m('2024-07'), to: m('2024-10') },
    regression: { from: m('2024-07'), to: m('2024-09') },
  };

  it.each([
    [
      { pairs: ['usdjpy', 'eurusd'] },
      '2 pairs (eurusd, usdjpy); bollinger 2024-07..2024-10; regression 2024-07..2024-09',
    ],
    [
      { from: m('2024-08') },
      '3 pairs (eurusd, gbpusd, usdjpy); bollinger 2024-08..2024-10; regression 2024-08..2024-09',
    ],
    [
      { from: m('2024-10'), to: m('2025-01') },
      '3 pairs (eurusd, gbpusd, usdjpy); bollinger 2024-10..2024-10; regression no month',
    ],
    [
      { tracks: ['bollinger' as const] },
      '3 pairs (eurusd, gbpusd, usdjpy); bollinger 2024-07..2024-10; regression 2024-07..2024-09; only bollinger',
    ],
  ])('%j → %s', (n, line) => {
    expect(describeScopeLine(narrowScope(scope, n))).toBe(line);
  });

  it('refuses a pair not configured and months outside every span', () => {
    expect(() => narrowScope(scope, { pairs: ['audcad'] })).toThrow(
      '--pairs: "audcad" not among the configured pairs (eurusd, gbpusd, usdjpy)',
    );
    expect(() => narrowScope(scope, { from: m('2025-01') })).toThrow(
      '--from/--to 2025-01..: no configured month is in it (bollinger 2024-07..2024-10, regression 2024-07..2024-09)',
    );
    // Track 3 has no months: a window outside Tracks 1-2 is fine when they are left out.
    expect(narrowScope(scope, { tracks: ['extraction'], from: m('2025-01') }).pairs).toHaveLength(
      3,
    );
  });
});

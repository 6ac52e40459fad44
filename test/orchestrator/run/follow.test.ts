import { describe, expect, it } from 'vitest';
import { parseInterval } from '../../../src/config/interval.js';
import { settingsFrom } from '../../../src/config/validate.js';
import { followInterval } from '../../../src/cli/actions/run.js';
import {
  type FollowOptions,
  followRuns,
  heldTracks,
  outcomeOf,
  shouldNotify,
} from '../../../src/orchestrator/run/follow.js';
import { waitingLine } from '../../../src/orchestrator/text/waitingLine.js';

describe('parseInterval', () => {
  it.each([
    ['30s', 30_000],
    ['5m', 300_000],
    ['1h', 3_600_000],
    [' 2m ', 120_000],
    ['1s', 1000],
    ['168h', 168 * 3_600_000],
  ])('%j is %d ms', (text, ms) => {
    expect(parseInterval(text)).toEqual({ ms });
  });

  it.each(['', '5', 'm5', '5x', '1.5h', '-5m', '5 m', '0s', '169h', '5min'])(
    '%j is refused with a reason',
    (text) => {
      const r = parseInterval(text);
      expect(r).toHaveProperty('error');
      expect((r as { error: string }).error).toContain(JSON.stringify(text));
    },
  );
});

describe('--follow [interval]', () => {
  it.each([
    [undefined, undefined],
    [false, undefined],
    [true, 300_000],
    ['30s', 30_000],
  ])('%j follows every %j ms', (flag, ms) => {
    expect(followInterval(flag)).toBe(ms);
  });

  it('refuses a bad interval with exit 2 and names the flag', () => {
    expect(() => followInterval('soon')).toThrow(/^--follow "soon" is not an interval/);
    try {
      followInterval('soon');
    } catch (err) {
      expect((err as { exitCode: number }).exitCode).toBe(2);
    }
  });
});

describe('follow.extractionEvery', () => {
  it('defaults to 1h and takes an interval', () => {
    expect(settingsFrom({}).follow.extractionEveryMs).toBe(3_600_000);
    expect(settingsFrom({ follow: { extractionEvery: '10m' } }).follow.extractionEveryMs).toBe(
      600_000,
    );
  });

  it('refuses what is not an interval, with its path', () => {
    expect(() => settingsFrom({ follow: { extractionEvery: 'hourly' } })).toThrow(
      /follow\.extractionEvery: expected an interval/,
    );
  });

  const HOUR = 3_600_000;
  it.each([
    ['never extracted yet', 10 * HOUR, undefined, []],
    ['extracted a minute ago', 10 * HOUR, 10 * HOUR - 60_000, ['extraction']],
    ['extracted just under the hour ago', 10 * HOUR, 9 * HOUR + 1, ['extraction']],
    ['extracted exactly an hour ago', 10 * HOUR, 9 * HOUR, []],
    ['extracted two hours ago', 10 * HOUR, 8 * HOUR, []],
  ])('Track 3 throttle: %s holds %j', (_why, now, last, held) => {
    expect([...heldTracks(now, last, HOUR)]).toEqual(held);
  });
});

describe('notifications while following', () => {
  it.each([
    ['complete', undefined, false],
    ['complete', 'complete', false],
    ['complete', 'failed', true],
    ['failed', undefined, true],
    ['failed', 'complete', true],
    ['failed', 'failed', true],
    ['interrupted', 'complete', true],
  ] as const)('a %s cycle after %j notifies: %j', (cycle, previous, notify) => {
    expect(shouldNotify(cycle, previous)).toBe(notify);
  });

  it.each([
    [0, 'complete'],
    [1, 'failed'],
    [130, 'interrupted'],
    [143, 'interrupted'],
  ] as const)('exit %d is %s', (code, outcome) => {
    expect(outcomeOf(code)).toBe(outcome);
  });
});

describe('the waiting line', () => {
  const at = (h: number, m: number) => new Date(2026, 0, 5, h, m).getTime();
  it('names the next check and the last change', () => {
    expect(
      waitingLine({ nextCheck: at(14, 5), lastChange: { at: at(13, 52), unit: 'eurusd/2024-12' } }),
    ).toBe('waiting for new data · next check 14:05 · last change 13:52 eurusd 2024-12');
    expect(waitingLine({ nextCheck: at(9, 0) })).toBe(
      'waiting for new data · next check 09:00 · last change none yet',
    );
  });
});

describe('where a stop finds the follow', () => {
  /** A follow whose cycles end with `codes` in turn; a stop is asked as the last one ends. */
  const follow = (codes: number[], stopWhen: 'cycle' | 'wait') => {
    const stop = new AbortController();
    let n = 0;
    const o: FollowOptions = {
      intervalMs: 1000,
      extractionEveryMs: 1000,
      signal: stop.signal,
      // Every check finds work: the next run starts after one interval.
      check: async () => [{ track: 'bollinger', unit: 'eurusd/2024-07' }],
      cycle: async () => {
        const exitCode = codes[n++]!;
        if (n === codes.length && stopWhen === 'cycle') stop.abort();
        return { runId: `run-${n}`, exitCode };
      },
      // The wait begins: a stop now finds it between runs.
      onWaiting: () => {
        if (n === codes.length && stopWhen === 'wait') stop.abort();
      },
    };
    return followRuns(o);
  };

  it.each([
    ['a run it stopped (130)', [0, 130], 'cycle', { exitCode: 130, betweenRuns: false }],
    ['a run it stopped (143)', [143], 'cycle', { exitCode: 143, betweenRuns: false }],
    ['a run that ended by itself', [1, 0], 'cycle', { exitCode: 130, betweenRuns: true }],
    ['the wait', [0], 'wait', { exitCode: 130, betweenRuns: true }],
  ] as const)('in %s: %j', async (_where, codes, when, end) => {
    expect(await follow([...codes], when)).toEqual(end);
  });
});

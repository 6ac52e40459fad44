import { describe, expect, it } from 'vitest';
import {
  buildDigest,
  type DigestInput,
  ERROR_LINES_KEPT,
  errorTail,
  FAILURES_LISTED,
  formatWall,
} from '../../../src/orchestrator/notify/digest.js';
import { followEndDigest } from '../../../src/orchestrator/notify/followNotice.js';
import { commandEnv } from '../../../src/orchestrator/notify/notifyCommand.js';
import { type OutcomeRow, summarizeRun } from '../../../src/orchestrator/report/runReport.js';

const started = new Date('2026-12-06T10:00:00Z');
const finished = new Date('2026-12-06T10:03:07Z');

function reportOf(outcomes: OutcomeRow[], status = 'failed') {
  return summarizeRun({
    run: {
      runId: '20261206-100000-abcd',
      status,
      startedAt: started,
      finishedAt: finished,
      host: 'etl1',
      exitCode: status === 'complete' ? 0 : 1,
      message: null,
      units: { bollinger: ['eurusd/2024-01', 'eurusd/2024-02'], regression: ['eurusd/2024-07'] },
    },
    outcomes,
    source: 'history',
  });
}

const row = (o: Partial<OutcomeRow>): OutcomeRow => ({
  track: 'bollinger',
  unit: 'eurusd/2024-01',
  status: 'done',
  rows: 10,
  bytes: 100,
  ms: 5,
  error: null,
  attempts: 1,
  host: 'etl1',
  ...o,
});

const input = (o: Partial<DigestInput>): DigestInput => ({
  runId: '20261206-100000-abcd',
  status: 'failed',
  exitCode: 1,
  message: 'failed: regression',
  report: undefined,
  retryCommand: 'bqx-monitor run --detach',
  ...o,
});

describe('the run digest', () => {
  it.each([
    [null, []],
    ['', []],
    ['one line', ['one line']],
    ['a\n\nb\r\nc  ', ['a', 'b', 'c']],
    [
      Array.from({ length: ERROR_LINES_KEPT + 3 }, (_, i) => `line ${i}`).join('\n'),
      Array.from({ length: ERROR_LINES_KEPT }, (_, i) => `line ${i + 3}`),
    ],
    [
      'could not connect to postgres://etl:s3cret@db:5432/x',
      ['could not connect to postgres://etl:****@db:5432/x'],
    ],
  ])('keeps the last lines of an error: %j', (error, tail) => {
    expect(errorTail(error)).toEqual(tail);
  });

  it.each([
    [0, '0s'],
    [59.4, '59s'],
    [187, '3m 07s'],
    [3720, '1h 02m'],
  ])('wall time %s s reads %s', (s, text) => {
    expect(formatWall(s)).toBe(text);
  });

  it('names each failed unit, its error tail and the retry command', () => {
    const report = reportOf([
      row({ unit: 'eurusd/2024-01' }),
      row({ unit: 'eurusd/2024-02', status: 'empty', rows: 0 }),
      row({
        track: 'regression',
        unit: 'eurusd/2024-07',
        status: 'failed',
        attempts: 1,
        error: 'first try',
      }),
      row({
        track: 'regression',
        unit: 'eurusd/2024-07',
        status: 'failed',
        attempts: 2,
        error: 'error: new row violates check constraint\nDETAIL: reject_all',
      }),
    ]);
    const d = buildDigest(input({ report }));
    expect(d.tracks.map((t) => [t.track, t.done, t.noData, t.failed, t.retriedAttempts])).toEqual([
      ['bollinger', 1, 1, 0, 0],
      ['regression', 0, 0, 1, 1],
      ['extraction', 0, 0, 0, 0],
    ]);
    expect(d.failures).toEqual([
      {
        track: 'regression',
        unit: 'eurusd/2024-07',
        attempts: 2,
        host: 'etl1',
        errorTail: ['error: new row violates check constraint', 'DETAIL: reject_all'],
      },
    ]);
    expect(d.retryCommand).toBe('bqx-monitor run --detach');
    expect(d.wallSeconds).toBe(187);
    expect(d.summary).toBe(
      'bqx-monitor run 20261206-100000-abcd failed (exit 1) in 3m 07s: bollinger 1 done, 1 no data; regression 0 done, 1 failed; extraction 0 done (failed: regression)',
    );
    expect(d.text).toContain('regression eurusd/2024-07 failed after 2 attempt(s) on etl1');
    expect(d.text).toContain('DETAIL: reject_all');
    expect(d.text).toContain('`bqx-monitor run --detach`');
  });

  it.each([
    ['complete', 0, 'complete (exit 0)'],
    ['interrupted', 130, 'stopped (exit 130)'],
    ['lost', null, 'stopped unexpectedly'],
  ] as const)('a %s run without failures has no retry command', (status, exitCode, words) => {
    const d = buildDigest(
      input({ status, exitCode, message: null, report: reportOf([row({})], status) }),
    );
    expect(d.failures).toEqual([]);
    expect(d.retryCommand).toBeNull();
    expect(d.summary).toContain(`20261206-100000-abcd ${words}`);
  });

  it('lists at most FAILURES_LISTED failures and counts the rest', () => {
    const n = FAILURES_LISTED + 4;
    const rows = Array.from({ length: n }, (_, i) =>
      row({ unit: `eurusd/u${String(i).padStart(3, '0')}`, status: 'failed', error: `e${i}` }),
    );
    const d = buildDigest(input({ report: reportOf(rows) }));
    expect(d.failures).toHaveLength(FAILURES_LISTED);
    expect(d.moreFailures).toBe(4);
    expect(d.text).toContain('… and 4 more failed unit(s)');
  });

  it('without a report it still says how the run ended, and masks its message', () => {
    const d = buildDigest(
      input({ message: 'lost postgres://u:pw@h/db', report: undefined, exitCode: 1 }),
    );
    expect(d.summary).toBe(
      'bqx-monitor run 20261206-100000-abcd failed (exit 1) (lost postgres://u:****@h/db)',
    );
    expect(JSON.stringify(d)).not.toContain('pw@');
    expect(d.tracks).toEqual([]);
  });
});

describe('the end of a follow stopped between its runs', () => {
  it.each([
    [130, 1],
    [143, 4],
  ])('exit %d after %d cycle(s): one stopped digest naming its last run', (exitCode, cycles) => {
    const d = followEndDigest({
      lastRunId: '20261206-101500-4f2a',
      cycles,
      exitCode,
      host: 'etl1',
      startedAt: new Date('2026-12-06T10:00:00Z'),
      finishedAt: new Date('2026-12-06T10:01:05Z'),
    });
    expect(d).toMatchObject({
      runId: '20261206-101500-4f2a',
      status: 'stopped',
      exitCode,
      wallSeconds: 65,
      tracks: [],
      failures: [],
      retryCommand: null,
    });
    const summary = `bqx-monitor follow on etl1 stopped (exit ${exitCode}) after ${cycles} cycle(s); its last run: 20261206-101500-4f2a`;
    expect(d.summary).toBe(summary);
    expect(commandEnv(d, {})).toEqual({
      BQX_RUN_ID: '20261206-101500-4f2a',
      BQX_STATUS: 'stopped',
      BQX_EXIT_CODE: String(exitCode),
      BQX_SUMMARY: summary,
    });
  });
});

import { describe, expect, it } from 'vitest';
import { EXIT } from '../../../src/config/userError.js';
import {
  type EndReason,
  endOf,
  RUN_TRANSITIONS,
  RunLifecycle,
  type RunMode,
  type RunWorkers,
  type StopMode,
} from '../../../src/orchestrator/run/lifecycle.js';

/** Workers that record the stops they are told and end when told to stop. */
function workers(): RunWorkers & { stops: StopMode[] } {
  let resolve!: () => void;
  const done = new Promise<void>((r) => {
    resolve = r;
  });
  const stops: StopMode[] = [];
  return {
    stops,
    done,
    async stopAll(mode) {
      stops.push(mode);
      resolve();
    },
  };
}

describe('endOf', () => {
  it.each<[EndReason, object]>([
    [
      { kind: 'gave_up', message: 'away' },
      { status: 'failed', exitCode: EXIT.failed, message: 'away' },
    ],
    [
      { kind: 'taken_over', message: 'x' },
      { status: 'failed', exitCode: EXIT.failed, message: 'x' },
    ],
    [
      { kind: 'declared_lost' },
      {
        status: 'failed',
        exitCode: EXIT.failed,
        message: 'the run was declared lost by another process; stopped',
      },
    ],
    [
      { kind: 'preflight_failed', problems: 2 },
      {
        status: 'failed',
        exitCode: EXIT.usage,
        message: 'the preflight found 2 problem(s); nothing was run',
      },
    ],
    [
      { kind: 'error', message: 'boom' },
      { status: 'failed', exitCode: EXIT.failed, message: 'boom' },
    ],
    [
      { kind: 'stopped', stop: { mode: 'now', exitCode: 143 }, beforeAnyUnit: true },
      { status: 'interrupted', exitCode: 143, message: 'stopped before any unit ran' },
    ],
    [
      { kind: 'stopped', stop: { mode: 'now', exitCode: 130 }, beforeAnyUnit: false },
      { status: 'interrupted', exitCode: 130, message: 'stopped at once' },
    ],
    [
      { kind: 'stopped', stop: { mode: 'graceful', exitCode: 130 }, beforeAnyUnit: false },
      { status: 'interrupted', exitCode: 130, message: 'stopped; running units finished first' },
    ],
    [
      { kind: 'finished', failed: [] },
      { status: 'complete', exitCode: EXIT.ok },
    ],
    [
      { kind: 'finished', failed: ['bollinger', 'extraction'] },
      { status: 'failed', exitCode: EXIT.failed, message: 'failed: bollinger, extraction' },
    ],
  ])('%j', (reason, end) => {
    expect(endOf(reason)).toEqual(end);
  });
});

describe('RunLifecycle transitions', () => {
  const modes = Object.keys(RUN_TRANSITIONS) as RunMode[];
  /** A lifecycle brought to `mode` through allowed transitions. */
  const at = (mode: RunMode) => {
    const l = new RunLifecycle();
    const path: Record<RunMode, RunMode[]> = {
      preparing: [],
      running: ['running'],
      stopping: ['stopping'],
      finishing: ['finishing'],
      ended: ['finishing', 'ended'],
    };
    for (const m of path[mode]) l.to(m);
    return l;
  };
  for (const from of modes)
    for (const to of modes.filter((m) => m !== from)) {
      const allowed = RUN_TRANSITIONS[from].includes(to);
      it(`${from} → ${to}: ${allowed ? 'allowed' : 'a bug, thrown'}`, () => {
        const l = at(from);
        if (allowed) {
          l.to(to);
          expect(l.mode).toBe(to);
        } else expect(() => l.to(to)).toThrow(`the run cannot go from ${from} to ${to}`);
      });
    }
});

describe('RunLifecycle', () => {
  it('the first end is the run’s; a later one still says the record is not its own', async () => {
    const l = new RunLifecycle();
    l.end({ kind: 'finished', failed: [] });
    l.end({ kind: 'taken_over', message: 'another' });
    expect(await l.ended).toEqual({ status: 'complete', exitCode: EXIT.ok });
    expect(l.ownsRecord).toBe(false);
    expect(l.canCarryOn).toBe(false);
  });

  it('standing down stops running workers at once', async () => {
    const l = new RunLifecycle();
    const w = workers();
    expect(l.run(w)).toBe(true);
    l.end({ kind: 'gave_up', message: 'the database was unreachable for 5 s; gave up' });
    expect(l.mode).toBe('stopping');
    expect(w.stops).toEqual(['now']);
    expect(l.gaveUp).toBe(true);
    await l.workersGone();
  });

  it('a stop before the workers started ends the run; nothing starts afterwards', async () => {
    const l = new RunLifecycle();
    expect(l.requestStop({ mode: 'graceful', exitCode: 130 })).toBe(true);
    await l.stopWorkers();
    expect(await l.ended).toMatchObject({ message: 'stopped before any unit ran' });
    expect(l.run(workers())).toBe(false);
  });

  it.each([
    { first: 'graceful', second: 'graceful', again: false },
    { first: 'graceful', second: 'now', again: true },
    { first: 'now', second: 'graceful', again: false },
    { first: 'now', second: 'now', again: false },
  ] as const)('a $first stop, then $second: goes further $again', ({ first, second, again }) => {
    const l = new RunLifecycle();
    l.run(workers());
    expect(l.requestStop({ mode: first, exitCode: 130 })).toBe(true);
    expect(l.requestStop({ mode: second, exitCode: 130 })).toBe(again);
    expect(l.mode).toBe('stopping');
  });

  it('a stop while finishing does nothing', () => {
    const l = new RunLifecycle();
    l.to('finishing');
    expect(l.requestStop({ mode: 'now', exitCode: 130 })).toBe(false);
    expect(l.stopRequest).toBeUndefined();
  });
});

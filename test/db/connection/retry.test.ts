import { describe, expect, it } from 'vitest';
import { EXIT } from '../../../src/config/userError.js';
import {
  DatabaseGone,
  gaveUpMessage,
  type RetryOptions,
  retryOnLoss,
} from '../../../src/db/connection/retry.js';

/** A connection loss as node-postgres reports one (recognised by connectionLoss.ts). */
const loss = () =>
  Object.assign(new Error('connect ECONNREFUSED 127.0.0.1:5432'), { code: 'ECONNREFUSED' });
const syntax = () => Object.assign(new Error('syntax error at or near "SELEC"'), { code: '42601' });

/** A function that fails with `failures` in turn, then answers `ok`. */
function failing(failures: Array<() => Error>) {
  let calls = 0;
  const fn = async () => {
    const f = failures[calls++];
    if (f) throw f();
    return 'ok';
  };
  return { fn, calls: () => calls };
}

const quick: RetryOptions = { firstDelayMs: 1, maxDelayMs: 4 };

describe('retryOnLoss', () => {
  it.each([
    { why: 'answers at once', failures: [], calls: 1 },
    { why: 'one loss, then back', failures: [loss], calls: 2 },
    { why: 'three losses, then back', failures: [loss, loss, loss], calls: 4 },
  ])('$why: ok after $calls call(s)', async ({ failures, calls }) => {
    const f = failing(failures);
    const seen: number[] = [];
    let back: number | undefined;
    const r = await retryOnLoss(f.fn, {
      ...quick,
      onLoss: (_e, n) => void seen.push(n),
      onBack: (ms) => (back = ms),
    });
    expect(r).toBe('ok');
    expect(f.calls()).toBe(calls);
    expect(seen).toEqual(failures.map((_, i) => i + 1));
    if (failures.length > 0) expect(back).toBeGreaterThanOrEqual(0);
    else expect(back).toBeUndefined();
  });

  it.each([
    {
      why: 'not a loss: thrown at once',
      failures: [syntax],
      isLoss: undefined,
      calls: 1,
      error: /syntax error/,
    },
    {
      why: 'a loss after a loss, then not one',
      failures: [loss, syntax],
      isLoss: undefined,
      calls: 2,
      error: /syntax/,
    },
    {
      why: 'a caller that waits out anything',
      failures: [syntax, syntax],
      isLoss: () => true,
      calls: 3,
      error: undefined,
    },
    {
      why: 'a caller that waits out nothing',
      failures: [loss],
      isLoss: () => false,
      calls: 1,
      error: /ECONNREFUSED/,
    },
  ])('$why', async ({ failures, isLoss, calls, error }) => {
    const f = failing(failures);
    const run = retryOnLoss(f.fn, { ...quick, ...(isLoss ? { isLoss } : {}) });
    if (error) await expect(run).rejects.toThrow(error);
    else await expect(run).resolves.toBe('ok');
    expect(f.calls()).toBe(calls);
  });

  it('gives up past the limit, counted from when the outage began, in the one wording', async () => {
    const f = failing(Array.from({ length: 100 }, () => loss));
    const err = await retryOnLoss(f.fn, {
      ...quick,
      limitMs: 2000,
      since: Date.now() - 5000,
    }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(DatabaseGone);
    expect((err as DatabaseGone).exitCode).toBe(EXIT.failed);
    expect((err as Error).message).toBe(gaveUpMessage(2000));
    expect(gaveUpMessage(2000)).toBe('the database was unreachable for 2 s; gave up');
    expect(f.calls()).toBe(1);
  });

  it('an abort ends the waiting with the last failure', async () => {
    const ac = new AbortController();
    const f = failing(Array.from({ length: 1000 }, () => loss));
    const run = retryOnLoss(f.fn, { firstDelayMs: 60_000, signal: ac.signal });
    await expect.poll(() => f.calls()).toBe(1);
    ac.abort(new Error('stood down'));
    await expect(run).rejects.toThrow(/ECONNREFUSED/);
    expect(f.calls()).toBe(1);
  });

  it('an aborted signal stops before the first call', async () => {
    const ac = new AbortController();
    ac.abort(new Error('stood down'));
    const f = failing([]);
    await expect(retryOnLoss(f.fn, { signal: ac.signal })).rejects.toThrow('stood down');
    expect(f.calls()).toBe(0);
  });

  it('waits until ready before trying again', async () => {
    let ready = false;
    const f = failing([loss]);
    const run = retryOnLoss(f.fn, { ...quick, ready: () => ready });
    await expect.poll(() => f.calls()).toBe(1);
    // Not ready: no second call, however long it waits.
    await new Promise((r) => setTimeout(r, 50));
    expect(f.calls()).toBe(1);
    ready = true;
    await expect(run).resolves.toBe('ok');
    expect(f.calls()).toBe(2);
  });

  it('the wait doubles up to its maximum', async () => {
    const waits: number[] = [];
    let last = Date.now();
    const f = failing(Array.from({ length: 5 }, () => loss));
    await retryOnLoss(f.fn, {
      firstDelayMs: 20,
      maxDelayMs: 80,
      onLoss: () => {
        last = Date.now();
      },
      onBack: () => {},
      isLoss: (e) => {
        waits.push(Date.now() - last);
        return (e as { code?: string }).code === 'ECONNREFUSED';
      },
    });
    // Between a failure and the next one: at least 20, 40, 80, 80 ms.
    expect(waits.slice(1).map((w, i) => w >= [20, 40, 80, 80][i]! - 2)).toEqual([
      true,
      true,
      true,
      true,
    ]);
  });
});

import { EXIT, UserError } from '../../config/userError.js';
import { isConnectionLoss } from './connectionLoss.js';
import { sleep } from './sleep.js';

/** How `retryOnLoss` waits out a database that went away. */
export interface RetryOptions {
  /** Give up once the database has been away this long (default: never). */
  readonly limitMs?: number;
  /** When the outage began (epoch ms), if before the first failure seen here. */
  readonly since?: number;
  /** The wait before the first retry, doubling up to `maxDelayMs` (default 500 → 5000). */
  readonly firstDelayMs?: number;
  readonly maxDelayMs?: number;
  /** Ends the waiting: the last failure is thrown (or the signal's reason). */
  readonly signal?: AbortSignal;
  /** The failures that are waited out (default: connection losses); others are thrown. */
  readonly isLoss?: (err: unknown) => boolean;
  /** Called (and awaited) after each failure that is waited out, before the wait. */
  readonly onLoss?: (err: unknown, failures: number) => void | Promise<void>;
  /** Called once `fn` succeeds after failing, with the outage's length. */
  readonly onBack?: (ms: number) => void;
  /** After the wait, keep waiting (a delay at a time) until this says to try again. */
  readonly ready?: () => boolean;
}

/** The one wording of a database that stayed away too long. */
export function gaveUpMessage(limitMs: number): string {
  return `the database was unreachable for ${Math.round(limitMs / 1000)} s; gave up`;
}

/** The database stayed away longer than the limit (exit 1, README "Exit codes"). */
export class DatabaseGone extends UserError {
  constructor(limitMs: number) {
    super(gaveUpMessage(limitMs), EXIT.failed);
    this.name = 'DatabaseGone';
  }
}

/**
 * Runs `fn` until it succeeds, waiting out a lost database: after a failure `isLoss`
 * accepts, waits (`firstDelayMs`, doubling to `maxDelayMs`) and tries again. Throws a
 * failure that is not a loss at once, `DatabaseGone` once the outage passed `limitMs`,
 * and the last failure when `signal` aborts. The one reconnect-with-backoff of the code.
 */
export async function retryOnLoss<T>(fn: () => Promise<T>, o: RetryOptions = {}): Promise<T> {
  const isLoss = o.isLoss ?? isConnectionLoss;
  const max = o.maxDelayMs ?? 5000;
  let delay = o.firstDelayMs ?? 500;
  let since = o.since;
  let failures = 0;
  for (;;) {
    if (o.signal?.aborted) throw o.signal.reason;
    try {
      const result = await fn();
      if (failures > 0) o.onBack?.(Date.now() - (since ?? Date.now()));
      return result;
    } catch (err) {
      if (!isLoss(err) || o.signal?.aborted) throw err;
      failures++;
      since ??= Date.now();
      await o.onLoss?.(err, failures);
      if (Date.now() - since > (o.limitMs ?? Number.POSITIVE_INFINITY))
        throw new DatabaseGone(o.limitMs!);
      await sleep(delay, o.signal);
      while (o.ready && !o.ready() && !o.signal?.aborted) await sleep(delay, o.signal);
      if (o.signal?.aborted) throw err;
      delay = Math.min(max, delay * 2);
    }
  }
}

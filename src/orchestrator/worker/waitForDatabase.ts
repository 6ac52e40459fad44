import type { WithPgClient } from '../../db/connection/pool.js';
import { UserError } from '../../config/userError.js';

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms).unref());

/**
 * Waits until the database answers again: tries every 0.5 s, doubling to 5 s. Calls
 * `onLost` once when the first try fails and `onBack` with the outage's length when one
 * succeeds after that. Past `limitMs` it gives up with a clear error (exit 1).
 */
export async function waitForDatabase(
  withPgClient: WithPgClient,
  o: { limitMs: number; onLost?: () => void; onBack?: (ms: number) => void },
): Promise<void> {
  const t0 = Date.now();
  let delay = 500;
  let announced = false;
  for (;;) {
    try {
      await withPgClient((c) => c.query('SELECT 1'));
      if (announced) o.onBack?.(Date.now() - t0);
      return;
    } catch {
      if (!announced) {
        announced = true;
        o.onLost?.();
      }
      if (Date.now() - t0 > o.limitMs) {
        throw new UserError(
          `the database was unreachable for ${Math.round(o.limitMs / 1000)} s; gave up`,
          1,
        );
      }
      await sleep(delay);
      delay = Math.min(5000, delay * 2);
    }
  }
}

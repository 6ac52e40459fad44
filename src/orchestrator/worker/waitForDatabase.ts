import type { WithPgClient } from '../../db/connection/pool.js';
import { retryOnLoss } from '../../db/connection/retry.js';

/**
 * Waits until the database answers again: tries every 0.5 s, doubling to 5 s. Calls
 * `onLost` once when the first try fails and `onBack` with the outage's length when one
 * succeeds after that. Past `limitMs` it gives up with a clear error (exit 1).
 */
export async function waitForDatabase(
  withPgClient: WithPgClient,
  o: { limitMs: number; onLost?: () => void; onBack?: (ms: number) => void; signal?: AbortSignal },
): Promise<void> {
  await retryOnLoss(() => withPgClient((c) => c.query('SELECT 1')), {
    limitMs: o.limitMs,
    // Whatever keeps it from answering: it is not there yet.
    isLoss: () => true,
    onLoss: (_err, n) => (n === 1 ? o.onLost?.() : undefined),
    ...(o.onBack ? { onBack: o.onBack } : {}),
    ...(o.signal ? { signal: o.signal } : {}),
  });
}

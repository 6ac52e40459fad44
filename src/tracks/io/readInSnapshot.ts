import type pg from 'pg';
import type { WithPgClient } from '../../db/connection/pool.js';

/** The statement that opens a unit's read: every query after it sees the same rows. */
export const SNAPSHOT_BEGIN = 'BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY';

/**
 * Runs `fn` on `client` in a read-only REPEATABLE READ transaction: all its queries see one
 * snapshot of the database, whatever commits meanwhile (a unit's look-back and month, and
 * anything recorded about the input it read, agree). Commits on success, rolls back on
 * an error. Call it outside a transaction; `fn` may `SET LOCAL` what its reads need.
 */
export async function inSnapshot<T>(
  client: pg.ClientBase,
  fn: (client: pg.ClientBase) => Promise<T>,
): Promise<T> {
  await client.query(SNAPSHOT_BEGIN);
  try {
    const result = await fn(client);
    await client.query('COMMIT');
    return result;
  } catch (err) {
    await client.query('ROLLBACK').catch(() => {});
    throw err;
  }
}

/** `inSnapshot` on a client of its own (one session for the whole read). */
export function readInSnapshot<T>(
  ctx: { readonly withPgClient: WithPgClient },
  fn: (client: pg.ClientBase) => Promise<T>,
): Promise<T> {
  return ctx.withPgClient((client) => inSnapshot(client, fn));
}

import pg from 'pg';
import { sslConnection } from './sslMode.js';

/** Runs `fn` with a pooled client and always releases it (graphile-worker's pattern). */
export type WithPgClient = <T>(fn: (client: pg.PoolClient) => Promise<T>) => Promise<T>;

// A naive `timestamp` is a UTC wall clock in this contract (docs/spec/SCHEMA.md): parse it as UTC,
// never as the machine's local time.
pg.types.setTypeParser(
  pg.types.builtins.TIMESTAMP,
  (text) => new Date(`${text.replace(' ', 'T')}Z`),
);

/** A pool whose sessions run in UTC, plus its `withPgClient`. */
export function createPool(config: pg.PoolConfig): { pool: pg.Pool; withPgClient: WithPgClient } {
  // sslmode has libpq's meaning here, not the driver's (src/db/connection/sslMode.ts).
  const { connectionString, ssl } = sslConnection(config.connectionString);
  const pool = new pg.Pool({
    max: 4,
    application_name: 'bqx-monitor',
    // A link that dies silently (no RST: a dropped network) is noticed by TCP keepalives.
    keepAlive: true,
    ...config,
    ...(connectionString !== undefined ? { connectionString } : {}),
    ...(ssl !== undefined && config.ssl === undefined ? { ssl } : {}),
    options: '-c TimeZone=UTC',
  });
  // A lost connection (server stopped under us, e.g. on Ctrl-C) must not crash the process:
  // the pending query rejects, and that is where the error is handled.
  pool.on('error', () => {});
  pool.on('connect', (client) => client.on('error', () => {}));
  const withPgClient: WithPgClient = async (fn) => {
    const client = await pool.connect();
    let result: Awaited<ReturnType<typeof fn>>;
    try {
      result = await fn(client);
    } catch (err) {
      // A session that failed may be mid-transaction or mid-COPY: close it, never reuse it.
      client.release(err instanceof Error ? err : true);
      throw err;
    }
    client.release();
    return result;
  };
  return { pool, withPgClient };
}

/**
 * Runs `fn` on a session outside the pool, with the pool's settings, then ends it: for what
 * must not wait for a pooled client (a worker giving its jobs back while its units hold
 * every one of them).
 */
export async function withSpareClient<T>(
  pool: pg.Pool,
  fn: (client: pg.Client) => Promise<T>,
): Promise<T> {
  const client = new pg.Client(pool.options);
  client.on('error', () => {});
  await client.connect();
  try {
    return await fn(client);
  } finally {
    await client.end().catch(() => {});
  }
}

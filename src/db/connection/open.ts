import type pg from 'pg';
import { createPool, type WithPgClient } from './pool.js';
import { type DbTarget, describeTarget } from './target.js';

/** An open database: a pool, a printable (masked) description, and how to close it. */
export interface Database {
  readonly pool: pg.Pool;
  readonly withPgClient: WithPgClient;
  /** Password-free description for UI, logs and JSON. */
  readonly description: string;
  readonly embedded: boolean;
  /** Connection string children can use (holds the password: never print it). */
  readonly childUrl: string | undefined;
  close(): Promise<void>;
}

/** Name of the database bqx-monitor creates inside its embedded cluster. */
export const EMBEDDED_DATABASE = 'bqx';

/** How `openDatabase` opens its target. */
export interface OpenOptions {
  target: DbTarget;
  dataDir: string;
  log?: (message: string) => void;
  /** Extra settings for an embedded server this call starts (see acquireEmbedded). */
  serverSettings?: readonly string[];
  /** Sessions the pool may open (default 4). */
  poolSize?: number;
}

/** Connects to the resolved target, starting (or attaching to) the embedded server if needed. */
export async function openDatabase(opts: OpenOptions): Promise<Database> {
  const { target } = opts;
  const size = opts.poolSize ? { max: opts.poolSize } : {};
  if (target.kind !== 'embedded') {
    const config = target.kind === 'url' ? { connectionString: target.url } : {};
    const { pool, withPgClient } = createPool({ ...config, ...size });
    return {
      pool,
      withPgClient,
      description: describeTarget(target),
      embedded: false,
      childUrl: target.kind === 'url' ? target.url : undefined,
      close: () => pool.end(),
    };
  }
  // Loaded only for the embedded server: a command against another database skips it.
  const { acquireEmbedded } = await import('../embedded/server.js');
  const server = await acquireEmbedded(opts.dataDir, opts.log, opts.serverSettings);
  try {
    await createEmbeddedDatabase(server.url);
  } catch (err) {
    await server.release();
    throw err;
  }
  const url = server.url.replace(/\/postgres$/, `/${EMBEDDED_DATABASE}`);
  const { pool, withPgClient } = createPool({ connectionString: url, ...size });
  return {
    pool,
    withPgClient,
    description: describeTarget(target, url),
    embedded: true,
    childUrl: url,
    async close() {
      // A busy client (a COPY cut short by Ctrl-C) must not hold the exit: the server's
      // fast shutdown rolls its transaction back.
      await Promise.race([pool.end(), new Promise((r) => setTimeout(r, 2000).unref())]);
      await server.release();
    },
  };
}

/** Creates `EMBEDDED_DATABASE` in the embedded server (at `adminUrl`) unless it exists. */
async function createEmbeddedDatabase(adminUrl: string): Promise<void> {
  const admin = createPool({ connectionString: adminUrl, max: 1 });
  try {
    const found = await admin.pool.query('SELECT 1 FROM pg_database WHERE datname = $1', [
      EMBEDDED_DATABASE,
    ]);
    if (found.rowCount === 0) {
      await admin.pool.query(`CREATE DATABASE ${EMBEDDED_DATABASE}`).catch((err: Error) => {
        // Two processes creating it at once: the loser's duplicate error is harmless.
        if (!/already exists/.test(err.message)) throw err;
      });
    }
  } finally {
    await admin.pool.end();
  }
}

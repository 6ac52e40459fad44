import { execa } from 'execa';
import pg from 'pg';
import { settingsFrom } from '../../src/config/validate.js';
import { resolveBinaries } from '../../src/db/embedded/binaries.js';
import { serverIdentity } from '../../src/db/embedded/identity.js';
import { acquireEmbedded, type EmbeddedServer } from '../../src/db/embedded/server.js';
import { createPool } from '../../src/db/connection/pool.js';
import { migrate } from '../../src/db/migrations/migrate.js';
import { seedDataset } from '../../src/tracks/seed/load.js';
import { makeDataDir, removeDataDir } from './dataDir.js';
import { TEMPLATE_PLAN } from './templatePlan.js';

/**
 * A PostgreSQL server of the test's own (its own cluster, from the same binaries), which
 * the test stops and starts under a running bqx-monitor; bqx-monitor reaches it by URL,
 * as it would any external database. Its database `bqx` holds the template dataset.
 */
export interface OwnServer {
  /** URL of the seeded database (holds a password: never print it). */
  readonly url: string;
  /** `pg_ctl stop -m fast`: every session is cut, transactions roll back. */
  stop(): Promise<void>;
  /** `pg_ctl stop -m immediate`: as a crash, recovery at the next start. */
  crash(): Promise<void>;
  /** Starts it again on the same port. */
  start(): Promise<void>;
  close(): Promise<void>;
}

export async function startOwnServer(): Promise<OwnServer> {
  const dataDir = await makeDataDir('bqx-own-pg-');
  let server: EmbeddedServer = await acquireEmbedded(dataDir);
  const admin = new pg.Client({ connectionString: server.url });
  await admin.connect();
  await admin.query('CREATE DATABASE bqx');
  await admin.end();
  const url = server.url.replace(/\/postgres$/, '/bqx');
  const seed = createPool({ connectionString: url });
  try {
    // The seeder records the dataset in bqx-monitor's schema: migrated first.
    await migrate(seed);
    await seed.withPgClient((c) => seedDataset(c, settingsFrom({}), TEMPLATE_PLAN));
  } finally {
    await seed.pool.end();
  }
  const runAs = await serverIdentity();
  const bin = await resolveBinaries(runAs);
  const pgCtlStop = async (mode: 'fast' | 'immediate') => {
    const r = await execa(bin.pgCtl, ['stop', '-D', server.clusterDir, '-m', mode, '-w'], {
      ...(runAs ?? {}),
      env: { PATH: process.env['PATH'] ?? '/usr/bin:/bin', LC_ALL: 'C' },
      extendEnv: false,
      reject: false,
    });
    if (r.exitCode !== 0) throw new Error(`pg_ctl stop failed: ${r.stderr}`);
  };
  return {
    url,
    stop: () => pgCtlStop('fast'),
    crash: () => pgCtlStop('immediate'),
    async start() {
      // The lease of this process keeps it; acquiring again starts it where it was.
      const again = await acquireEmbedded(dataDir);
      if (again.port !== server.port) throw new Error('the server came back on another port');
      server = again;
    },
    async close() {
      await server.release();
      await removeDataDir(dataDir);
    },
  };
}

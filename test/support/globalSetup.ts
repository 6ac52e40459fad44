import { mkdtemp } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import pg from 'pg';
import type { TestProject } from 'vitest/node';
import { settingsFrom } from '../../src/config/validate.js';
import { createPool } from '../../src/db/connection/pool.js';
import { acquireEmbedded } from '../../src/db/embedded/server.js';
import { migrateAll } from '../../src/orchestrator/run/migrateAll.js';
import { seedDataset } from '../../src/tracks/seed/load.js';
import { removeDataDir } from './dataDir.js';
import { TEMPLATE_PLAN } from './templatePlan.js';

declare module 'vitest' {
  export interface ProvidedContext {
    /** Superuser URL of the test cluster's `postgres` database (holds a password). */
    pgAdminUrl: string;
  }
}

/**
 * One real embedded PostgreSQL for the whole run, and a template database seeded once;
 * each test file clones the template (graphile-worker's habit) and drops its clone.
 */
export default async function setup(project: TestProject) {
  const dataDir = await mkdtemp(path.join(os.tmpdir(), 'bqx-test-pg-'));
  const server = await acquireEmbedded(dataDir);
  const admin = new pg.Client({ connectionString: server.url });
  await admin.connect();
  await admin.query('DROP DATABASE IF EXISTS bqx_template');
  await admin.query('CREATE DATABASE bqx_template');
  await admin.end();
  // The template has bqx-monitor's schemas, as every database a command has run on.
  const tmpl = createPool({ connectionString: server.url.replace(/\/postgres$/, '/bqx_template') });
  await migrateAll(tmpl);
  await tmpl.withPgClient((c) => seedDataset(c, settingsFrom({}), TEMPLATE_PLAN));
  await tmpl.pool.end();
  project.provide('pgAdminUrl', server.url);
  return async () => {
    await server.release();
    await removeDataDir(dataDir);
  };
}

import { type MigrationTarget, migrate } from '../../db/migrations/migrate.js';
import { migrateQueue } from '../queue/jobQueue.js';

/**
 * Upgrades bqx-monitor's own schema and the queue's (graphile-worker's migrations) under
 * one lock, once per process: what every command that runs or plans units does first.
 */
export async function migrateAll(db: MigrationTarget): Promise<void> {
  await migrate(db, migrateQueue);
}

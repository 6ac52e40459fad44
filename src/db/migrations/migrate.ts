import type pg from 'pg';
import type { WithPgClient } from '../connection/pool.js';
import { META_SCHEMA } from '../dataset.js';
import { LOCK_NAMESPACE, LOCKS } from '../locks.js';
import { MIGRATIONS, type Migration } from './steps.js';

/** What `migrate` needs: sessions from the pool (and the pool, for the queue's migrations). */
export interface MigrationTarget {
  readonly pool: pg.Pool;
  readonly withPgClient: WithPgClient;
}

const done = new WeakMap<pg.Pool, Promise<number>>();

async function applyPending(client: pg.ClientBase, steps: readonly Migration[]): Promise<number> {
  await client.query('BEGIN');
  try {
    await client.query(`CREATE SCHEMA IF NOT EXISTS ${META_SCHEMA}`);
    await client.query(`CREATE TABLE IF NOT EXISTS ${META_SCHEMA}.migrations (
        id int PRIMARY KEY, name text NOT NULL, applied_at timestamptz NOT NULL DEFAULT now())`);
    const r = await client.query<{ id: number }>(`SELECT id FROM ${META_SCHEMA}.migrations`);
    const applied = new Set(r.rows.map((x) => x.id));
    let count = 0;
    for (const step of steps) {
      if (applied.has(step.id)) continue;
      await client.query(step.sql);
      await client.query(`INSERT INTO ${META_SCHEMA}.migrations (id, name) VALUES ($1, $2)`, [
        step.id,
        step.name,
      ]);
      count++;
    }
    await client.query('COMMIT');
    return count;
  } catch (err) {
    await client.query('ROLLBACK').catch(() => {});
    throw err;
  }
}

/**
 * Creates or upgrades bqx-monitor's own schema to the latest numbered step, then runs
 * `alsoUnderLock` (the queue's own migrations), all under one advisory lock: processes
 * starting at the same moment on a fresh database upgrade it one after the other, never
 * racing on `CREATE`. Done once per pool (process); returns the steps applied.
 */
export function migrate(
  db: MigrationTarget,
  alsoUnderLock?: (pool: pg.Pool) => Promise<void>,
  steps: readonly Migration[] = MIGRATIONS,
): Promise<number> {
  let p = done.get(db.pool);
  if (!p) {
    p = db.withPgClient(async (c) => {
      await c.query('SELECT pg_advisory_lock($1, $2)', [LOCK_NAMESPACE, LOCKS.migrate]);
      try {
        const count = await applyPending(c, steps);
        await alsoUnderLock?.(db.pool);
        return count;
      } finally {
        await c.query('SELECT pg_advisory_unlock($1, $2)', [LOCK_NAMESPACE, LOCKS.migrate]);
      }
    });
    done.set(db.pool, p);
    // A failed attempt (the database went away) may be tried again by the next caller.
    p.catch(() => done.delete(db.pool));
  }
  return p;
}

/** The latest step a database has, or 0 when bqx-monitor never upgraded it (read-only). */
export async function schemaVersion(client: pg.ClientBase): Promise<number> {
  const r = await client.query<{ t: string | null }>('SELECT to_regclass($1) AS t', [
    `${META_SCHEMA}.migrations`,
  ]);
  if (!r.rows[0]?.t) return 0;
  const v = await client.query<{ id: number | null }>(
    `SELECT max(id) AS id FROM ${META_SCHEMA}.migrations`,
  );
  return v.rows[0]?.id ?? 0;
}

/** The latest step this version of bqx-monitor knows. */
export const LATEST_MIGRATION = MIGRATIONS.at(-1)!.id;

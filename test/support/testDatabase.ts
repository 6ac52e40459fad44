import { randomBytes } from 'node:crypto';
import pg from 'pg';
import { inject } from 'vitest';

/** A database of the test cluster, cloned from the seeded template or empty. */
export interface TestDatabase {
  readonly name: string;
  /** URL with password: pass to the CLI with --db, never print it. */
  readonly url: string;
  readonly pool: pg.Pool;
  drop(): Promise<void>;
}

function adminUrl(): string {
  return inject('pgAdminUrl');
}

/** Creates a fresh database (a clone of the seeded template unless `empty`). */
export async function createTestDatabase(opts: { empty?: boolean } = {}): Promise<TestDatabase> {
  const name = `t_${randomBytes(5).toString('hex')}`;
  const admin = new pg.Client({ connectionString: adminUrl() });
  await admin.connect();
  try {
    await admin.query(
      opts.empty ? `CREATE DATABASE ${name}` : `CREATE DATABASE ${name} TEMPLATE bqx_template`,
    );
  } finally {
    await admin.end();
  }
  const url = adminUrl().replace(/\/postgres$/, `/${name}`);
  const pool = new pg.Pool({ connectionString: url, max: 3 });
  return {
    name,
    url,
    pool,
    async drop() {
      await pool.end();
      const a = new pg.Client({ connectionString: adminUrl() });
      await a.connect();
      await a.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
      await a.end();
    },
  };
}

import type pg from 'pg';

export interface DatabaseSample {
  /** Connections to this database (all clients, ours included). */
  readonly connections: number;
  readonly maxConnections: number;
  readonly sizeBytes: number;
}

/** Connections and size of the current database (pg_stat_activity, pg_database_size). */
export async function sampleDatabase(client: pg.ClientBase): Promise<DatabaseSample> {
  const r = await client.query<{ connections: string; max: string; size: string }>(
    `SELECT (SELECT count(*) FROM pg_stat_activity WHERE datname = current_database()) AS connections,
            current_setting('max_connections') AS max,
            pg_database_size(current_database()) AS size`,
  );
  const row = r.rows[0]!;
  return {
    connections: Number(row.connections),
    maxConnections: Number(row.max),
    sizeBytes: Number(row.size),
  };
}

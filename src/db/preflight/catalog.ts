import type pg from 'pg';

/** One relation of the checked schema as the catalog describes it. */
export interface CatalogTable {
  readonly name: string;
  /** r = table, p = partitioned table, v/m = views, f = foreign. */
  readonly kind: string;
  readonly columns: ReadonlyMap<string, string>;
  readonly canSelect: boolean;
  readonly canWrite: boolean;
  /** Names of this table's partitions (partitioned tables only). */
  readonly partitions: ReadonlySet<string>;
  /** Name of the parent when this table is a partition. */
  readonly parent: string | undefined;
}

/** What the preflight needs to know about the server and one schema. */
export interface Catalog {
  readonly serverVersionNum: number;
  readonly serverVersion: string;
  readonly schemaExists: boolean;
  readonly canUseSchema: boolean;
  readonly canCreateInSchema: boolean;
  readonly tables: ReadonlyMap<string, CatalogTable>;
}

/** Reads the catalog in three queries, whatever the number of tables (read-only). */
export async function readCatalog(client: pg.ClientBase, schema: string): Promise<Catalog> {
  const server = await client.query(
    `SELECT current_setting('server_version_num')::int AS num, current_setting('server_version') AS v,
            n.oid IS NOT NULL AS exists,
            COALESCE(has_schema_privilege(n.oid, 'USAGE'), false) AS usage,
            COALESCE(has_schema_privilege(n.oid, 'CREATE'), false) AS create
       FROM (SELECT 1) one LEFT JOIN pg_namespace n ON n.nspname = $1`,
    [schema],
  );
  const s = server.rows[0];
  const cols = await client.query(
    `SELECT c.relname, c.relkind, a.attname, format_type(a.atttypid, a.atttypmod) AS type,
            has_table_privilege(c.oid, 'SELECT') AS sel,
            has_table_privilege(c.oid, 'INSERT') AND has_table_privilege(c.oid, 'DELETE') AS wr,
            (SELECT p.relname FROM pg_inherits i JOIN pg_class p ON p.oid = i.inhparent
              WHERE i.inhrelid = c.oid LIMIT 1) AS parent
       FROM pg_class c
       JOIN pg_namespace n ON n.oid = c.relnamespace
       LEFT JOIN pg_attribute a ON a.attrelid = c.oid AND a.attnum > 0 AND NOT a.attisdropped
      WHERE n.nspname = $1 AND c.relkind IN ('r', 'p', 'v', 'm', 'f')
      ORDER BY c.relname, a.attnum`,
    [schema],
  );
  const tables = new Map<
    string,
    CatalogTable & { columns: Map<string, string>; partitions: Set<string> }
  >();
  for (const row of cols.rows) {
    let t = tables.get(row.relname);
    if (!t) {
      t = {
        name: row.relname,
        kind: row.relkind,
        columns: new Map(),
        canSelect: row.sel,
        canWrite: row.wr,
        partitions: new Set(),
        parent: row.parent ?? undefined,
      };
      tables.set(row.relname, t);
    }
    if (row.attname) t.columns.set(row.attname, row.type);
  }
  for (const t of tables.values()) {
    if (t.parent) tables.get(t.parent)?.partitions.add(t.name);
  }
  return {
    serverVersionNum: s.num,
    serverVersion: s.v,
    schemaExists: s.exists,
    canUseSchema: s.usage,
    canCreateInSchema: s.create,
    tables,
  };
}

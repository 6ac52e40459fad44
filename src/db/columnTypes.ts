import type pg from 'pg';

/** Catalog type of every column of one table (empty map when the table does not exist). */
export async function columnTypes(
  client: pg.ClientBase,
  schema: string,
  table: string,
): Promise<Map<string, string>> {
  const r = await client.query(
    `SELECT a.attname, format_type(a.atttypid, a.atttypmod) AS type
       FROM pg_attribute a JOIN pg_class c ON c.oid = a.attrelid
       JOIN pg_namespace n ON n.oid = c.relnamespace
      WHERE n.nspname = $1 AND c.relname = $2 AND a.attnum > 0 AND NOT a.attisdropped`,
    [schema, table],
  );
  return new Map(r.rows.map((x) => [x.attname as string, x.type as string]));
}

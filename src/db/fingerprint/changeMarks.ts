import type pg from 'pg';
import { DIGEST_SCHEME } from './digestSql.js';

/**
 * Whether a source may have changed since its digests were taken, from PostgreSQL's own
 * statistics: per relation (each partition of a partitioned table) its file node (TRUNCATE,
 * VACUUM FULL and CLUSTER give a new one) and its counts of inserted, updated and deleted
 * tuples, with the server's start time and the database's statistics reset time. Equal
 * marks: nothing committed since; a different mark: look again.
 *
 * Why a change is never missed for long (docs/freshness.md, "Counters"):
 * - the mark kept with a source's digests is read BEFORE the digests' snapshot is taken, so
 *   it never claims a change the digests did not see: a change committed before the
 *   snapshot is in the digests; one committed after it increments the counters after the
 *   mark was read;
 * - counters reach the shared statistics up to seconds after a commit (a backend flushes
 *   them at most once a second, or when it goes idle or exits). A check in that gap still
 *   sees the old mark and keeps the old digests, but keeps the old mark too, so the first
 *   check after the flush differs from it and hashes again: found at the next check;
 * - crash recovery discards the counters and stamps the server-wide statistics' reset time
 *   (`statsEpochSql`), `pg_stat_reset` zeroes them and stamps the database's reset time:
 *   every such mark differs from the kept one, so everything is hashed again (a reset
 *   cannot make counters equal the kept ones unless exactly as many tuples changed since,
 *   in every partition). A clean restart keeps the counters (the server writes them at
 *   shutdown and reads them back), so it keeps the marks: the embedded server stops at the
 *   end of every command, and a restart must not cost a re-hash of every source.
 * A view or foreign table has no counters: its mark is null, and it is hashed every time.
 */
export async function readChangeMarks(
  client: pg.ClientBase,
  relations: readonly string[],
): Promise<Map<string, string | null>> {
  const r = await client.query<{ rel: string; mark: string | null }>(
    `WITH server AS (
       SELECT 'd${DIGEST_SCHEME}/' || ${await statsEpochSql(client)} || '/' || coalesce(
         (SELECT stats_reset::text FROM pg_stat_database WHERE datname = current_database()), '-') AS k)
     SELECT q.rel, CASE WHEN c.relkind IN ('r', 'p', 'm') THEN (SELECT k FROM server) || ';' || (
         -- No statistics entry yet (a fresh clone) counts as zero: reading a table
         -- creates one, and that must not look like a change.
         SELECT string_agg(concat_ws(':', t.relid::text, pc.relfilenode, coalesce(s.n_tup_ins, 0),
                                     coalesce(s.n_tup_upd, 0), coalesce(s.n_tup_del, 0)), ','
                           ORDER BY t.relid)
           -- A plain table is no partition tree (no rows there): itself, then.
           FROM (SELECT c.oid::regclass AS relid UNION SELECT relid FROM pg_partition_tree(c.oid)) t
           JOIN pg_class pc ON pc.oid = t.relid
           LEFT JOIN pg_stat_all_tables s ON s.relid = t.relid) END AS mark
       FROM unnest($1::text[]) AS q(rel)
       LEFT JOIN pg_class c ON c.oid = to_regclass(q.rel)`,
    [relations],
  );
  return new Map(r.rows.map((x) => [x.rel, x.mark]));
}

/**
 * What changes exactly when the server lost its counters: PostgreSQL 14+ stamps the WAL
 * statistics' reset time when it starts without its statistics file (crash recovery, an
 * immediate stop, a first start) and keeps it across a clean restart. PostgreSQL 13 has no
 * such stamp: its start time stands in (every restart then hashes again, as safe as before).
 */
async function statsEpochSql(client: pg.ClientBase): Promise<string> {
  const r = await client.query<{ n: number }>(
    `SELECT current_setting('server_version_num')::int AS n`,
  );
  return (r.rows[0]?.n ?? 0) >= 140000
    ? `coalesce((SELECT stats_reset::text FROM pg_stat_wal), '-')`
    : 'pg_postmaster_start_time()::text';
}

import { expect } from 'vitest';
import type { TestDatabase } from './testDatabase.js';

/** The five Phase-1 tables and the two series tables of a pair, with their time column. */
export function sourceTables(pair: string): Array<{ table: string; time: string }> {
  return [
    { table: `m1_${pair}`, time: 'time' },
    { table: `bqx_${pair}`, time: 'ts_utc' },
    ...[
      'bollinger_rate',
      'statistics_rate',
      'volume_features',
      'spread_features',
      'time_features',
    ].map((k) => ({ table: `${k}_${pair}`, time: 'ts_utc' })),
  ];
}

/** Sum of the statistics counters of a table and its partitions. */
async function counters(db: TestDatabase, table: string): Promise<number> {
  const r = await db.pool.query(
    `SELECT coalesce(sum(n_tup_ins + n_tup_upd + n_tup_del), 0)::int8::text AS n
       FROM (SELECT $1::regclass AS relid UNION SELECT relid FROM pg_partition_tree($1::regclass)) t
       JOIN pg_stat_all_tables s ON s.relid = t.relid`,
    [`bqx.${table}`],
  );
  return Number(r.rows[0].n);
}

/**
 * Runs statements that change source tables on one session, then waits until the
 * server's statistics show the change (they lag a commit by up to seconds): a check
 * started after this sees it through the counters, as a later check would anyway.
 */
export async function changeSources(
  db: TestDatabase,
  tables: readonly string[],
  statements: ReadonlyArray<{ sql: string; rows?: number }>,
): Promise<void> {
  const before = new Map<string, number>();
  for (const t of tables) before.set(t, await counters(db, t));
  const c = await db.pool.connect();
  try {
    for (const s of statements) {
      const r = await c.query(s.sql);
      if (s.rows !== undefined) expect(r.rowCount, s.sql).toBe(s.rows);
    }
    await c.query('SELECT pg_stat_force_next_flush()');
  } finally {
    c.release();
  }
  for (const t of tables)
    await expect
      .poll(() => counters(db, t), { timeout: 60_000, interval: 200, message: `counters of ${t}` })
      .toBeGreaterThan(before.get(t)!);
}

/**
 * INSERTs that give every source table of a pair September 2024: August 1–30's rows moved
 * 31 days on (bqx gets its September partition first).
 */
export async function septemberRows(db: TestDatabase, pair: string) {
  const out: Array<{ sql: string }> = [
    {
      sql: `CREATE TABLE IF NOT EXISTS bqx.bqx_${pair}_2024_09 PARTITION OF bqx.bqx_${pair}
              FOR VALUES FROM ('2024-09-01 00:00:00+00') TO ('2024-10-01 00:00:00+00')`,
    },
  ];
  for (const { table, time } of sourceTables(pair)) {
    const cols = await db.pool.query<{ c: string; n: string }>(
      `SELECT quote_ident(column_name) AS c, column_name AS n FROM information_schema.columns
        WHERE table_schema = 'bqx' AND table_name = $1 ORDER BY ordinal_position`,
      [table],
    );
    const names = cols.rows.map((r) => r.c);
    const moved = cols.rows.map((r) => (r.n === time ? `${r.c} + interval '31 days'` : r.c));
    out.push({
      sql: `INSERT INTO bqx.${table} (${names.join(', ')})
            SELECT ${moved.join(', ')} FROM bqx.${table}
             WHERE ${time} >= '2024-08-01 00:00:00+00' AND ${time} < '2024-08-31 00:00:00+00'`,
    });
  }
  return out;
}

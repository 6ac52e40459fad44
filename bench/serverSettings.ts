import type pg from 'pg';

/** The settings the bench's figures depend on, as the server reports them. */
const SHOWN = [
  'wal_level',
  'synchronous_commit',
  'max_wal_size',
  'checkpoint_timeout',
  'autovacuum',
  'fsync',
  'full_page_writes',
  'data_checksums',
];

/**
 * The server's settings, checked against the `name=value` ones asked for with `--pg`: a
 * server that was already running keeps its own, and its figures would be mislabelled.
 */
export async function serverSettingsOf(
  pool: pg.Pool,
  asked: readonly string[],
): Promise<Record<string, string>> {
  const names = [...new Set([...SHOWN, ...asked.map((a) => a.split('=')[0]!)])];
  const r = await pool.query<{ name: string; setting: string; unit: string | null }>(
    'SELECT name, setting, unit FROM pg_settings WHERE name = ANY($1)',
    [names],
  );
  const raw = new Map(r.rows.map((x) => [x.name, x.setting]));
  for (const a of asked) {
    const [name, value] = a.split('=') as [string, string];
    const shown = await pool.query<{ v: string }>('SELECT current_setting($1) AS v', [name]);
    if (raw.get(name) !== value && shown.rows[0]?.v !== value)
      throw new Error(
        `--pg ${a}: the server runs with ${name} = ${shown.rows[0]?.v}; stop it (it was started before) and run again`,
      );
  }
  const out: Record<string, string> = {};
  for (const n of names) {
    const v = await pool.query<{ v: string }>('SELECT current_setting($1) AS v', [n]);
    out[n] = v.rows[0]!.v;
  }
  return out;
}

/** `wal_level=minimal synchronous_commit=off …`. */
export function describeSettings(s: Record<string, string>): string {
  return Object.entries(s)
    .map(([k, v]) => `${k}=${v}`)
    .join(' ');
}

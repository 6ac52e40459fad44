import type pg from 'pg';
import type { Finding } from './findings.js';

/** The server settings that change how fast a run writes, as `pg_settings` reports them. */
export const SPEED_SETTINGS = [
  'wal_level',
  'max_wal_size',
  'synchronous_commit',
  'fsync',
  'full_page_writes',
] as const;

export type SpeedSetting = (typeof SPEED_SETTINGS)[number];

/** Setting values by name, in `pg_settings`' units (max_wal_size in MB). */
export type ServerSettings = Readonly<Partial<Record<SpeedSetting, string>>>;

/**
 * Reads the settings (read-only; `pg_settings` is readable by any role). Meant for
 * doctor's read-only transaction.
 */
export async function readServerSettings(client: pg.ClientBase): Promise<ServerSettings> {
  const r = await client.query<{ name: SpeedSetting; setting: string }>(
    'SELECT name, setting FROM pg_settings WHERE name = ANY($1::text[])',
    [SPEED_SETTINGS],
  );
  return Object.fromEntries(r.rows.map((x) => [x.name, x.setting]));
}

/** max_wal_size below which a run's WAL forces checkpoints (MB; the embedded server's 4 GB). */
const WAL_SIZE_MB = 4096;

/**
 * Notes (never problems: a run works with any of these) on settings that slow a run down,
 * each with what to change and what it costs. `embedded`: the server is bqx-monitor's own,
 * which applies its settings at its next start. Pure.
 */
export function settingNotes(s: ServerSettings, embedded: boolean): Finding[] {
  const note = (setting: SpeedSetting, advice: string): Finding => ({
    kind: 'slow-setting',
    severity: 'note',
    setting,
    value: s[setting] ?? '?',
    advice: embedded
      ? `${advice}; this embedded server gets it at its next start (when no bqx-monitor uses it)`
      : advice,
  });
  const out: Finding[] = [];
  const minimal = s.wal_level === 'minimal';
  if (s.wal_level !== undefined && !minimal) {
    out.push(
      note(
        'wal_level',
        'every row a unit writes is also written to the WAL (0.75-0.95x the bytes again, measured); wal_level = minimal with max_wal_senders = 0 skips that for tables a unit truncates, if this server has no replica and archives no WAL',
      ),
    );
  }
  const walMb = Number(s.max_wal_size);
  if (!minimal && Number.isFinite(walMb) && walMb < WAL_SIZE_MB) {
    out.push(
      note(
        'max_wal_size',
        `with this much WAL a run forces a checkpoint every ${walMb} MB written; max_wal_size = 4GB spaces them out`,
      ),
    );
  }
  if (s.synchronous_commit !== undefined && s.synchronous_commit !== 'off') {
    out.push(
      note(
        'synchronous_commit',
        'the job queue’s small commits each wait for a WAL flush; ALTER ROLE … SET synchronous_commit = off lets them not wait (a unit’s write still commits synchronously, and a lost bookkeeping commit is redone)',
      ),
    );
  }
  for (const setting of ['fsync', 'full_page_writes'] as const) {
    if (s[setting] === 'off') {
      out.push(
        note(
          setting,
          `${setting} = off makes writing faster but a crash of the server or the machine can corrupt the database; bqx-monitor's own server keeps it on`,
        ),
      );
    }
  }
  return out;
}

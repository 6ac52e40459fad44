import { createHash } from 'node:crypto';
import os from 'node:os';
import path from 'node:path';

/** The per-user data directory: `$XDG_DATA_HOME/bqx-monitor`, else `~/.local/share/bqx-monitor`. */
export function defaultDataDir(
  env: Readonly<Record<string, string | undefined>> = process.env,
  home: string = os.homedir(),
): string {
  const xdg = env['XDG_DATA_HOME'];
  const base = xdg && path.isAbsolute(xdg) ? xdg : path.join(home, '.local', 'share');
  return path.join(base, 'bqx-monitor');
}

/** System-wide place for what the `postgres` user must reach when run as root. */
export const SYSTEM_DIR = '/var/lib/bqx-monitor';

/** A cluster directory outside an untraversable home, unique per data directory. */
export function relocatedClusterDir(dataDir: string): string {
  const key = createHash('sha256').update(path.resolve(dataDir)).digest('hex').slice(0, 12);
  return path.join(SYSTEM_DIR, 'clusters', key, 'pg');
}

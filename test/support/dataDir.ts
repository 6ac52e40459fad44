import { mkdtemp, readFile, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';

/** A fresh data directory for an embedded server. */
export function makeDataDir(prefix = 'bqx-data-'): Promise<string> {
  return mkdtemp(path.join(os.tmpdir(), prefix));
}

/**
 * Removes a data directory and, when its cluster was relocated (a root run whose data
 * directory the `postgres` user cannot enter), the relocated cluster too.
 */
export async function removeDataDir(dataDir: string): Promise<void> {
  const state = await readFile(path.join(dataDir, 'embedded.json'), 'utf8').catch(() => undefined);
  const cluster: string | undefined = state ? JSON.parse(state).clusterDir : undefined;
  if (cluster?.startsWith('/var/lib/bqx-monitor/clusters/')) {
    await rm(path.dirname(cluster), { recursive: true, force: true });
  }
  await rm(dataDir, { recursive: true, force: true });
}

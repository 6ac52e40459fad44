import { mkdir, readdir, rm, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { isAlive } from './processes.js';

/**
 * Every bqx-monitor process using the embedded server holds a lease file named after
 * its pid; the last live holder to leave stops the server. A killed holder's lease is
 * ignored because its pid is dead, so a SIGKILL never strands the next run.
 */
function leaseDir(dataDir: string): string {
  return path.join(dataDir, 'leases');
}

/** Records that this process uses the server. */
export async function takeLease(dataDir: string, pid = process.pid): Promise<void> {
  await mkdir(leaseDir(dataDir), { recursive: true, mode: 0o700 });
  await writeFile(path.join(leaseDir(dataDir), String(pid)), `${Date.now()}\n`);
}

/** Drops this process's lease and returns the pids of other live holders. */
export async function dropLease(dataDir: string, pid = process.pid): Promise<number[]> {
  await rm(path.join(leaseDir(dataDir), String(pid)), { force: true });
  return liveHolders(dataDir);
}

/** Pids of live lease holders; dead holders' leases are removed on the way. */
export async function liveHolders(dataDir: string): Promise<number[]> {
  const names = await readdir(leaseDir(dataDir)).catch(() => [] as string[]);
  const live: number[] = [];
  for (const name of names) {
    const pid = Number(name);
    if (isAlive(pid)) live.push(pid);
    else await rm(path.join(leaseDir(dataDir), name), { force: true });
  }
  return live;
}

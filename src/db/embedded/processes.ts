import { readFile } from 'node:fs/promises';

/** True when a process with this pid exists (signal 0 probes without touching it). */
export function isAlive(pid: number): boolean {
  if (!Number.isInteger(pid) || pid <= 0) return false;
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/** The command line of a live process, or undefined. */
export async function commandLine(pid: number): Promise<string | undefined> {
  const text = await readFile(`/proc/${pid}/cmdline`, 'utf8').catch(() => undefined);
  return text?.split('\0').join(' ').trim();
}

/** The fields of a `postmaster.pid` file that bqx-monitor needs. */
export interface PostmasterInfo {
  readonly pid: number;
  readonly port: number;
}

/** Parses `postmaster.pid` (line 1: pid, line 4: port). */
export function parsePostmasterPid(text: string): PostmasterInfo | undefined {
  const lines = text.split('\n');
  const pid = Number(lines[0]);
  const port = Number(lines[3]);
  if (!Number.isInteger(pid) || pid <= 0 || !Number.isInteger(port)) return undefined;
  return { pid, port };
}

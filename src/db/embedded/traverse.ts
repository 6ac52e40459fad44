import { stat } from 'node:fs/promises';
import path from 'node:path';

/** A Unix identity: the user a server process runs as. */
export interface Identity {
  readonly uid: number;
  readonly gid: number;
}

/** True when a directory with this owner and mode lets `who` enter it (search bit). */
export function modeAllowsSearch(
  dir: { uid: number; gid: number; mode: number },
  who: Identity,
): boolean {
  if (who.uid === 0) return true;
  if (dir.uid === who.uid) return (dir.mode & 0o100) !== 0;
  if (dir.gid === who.gid) return (dir.mode & 0o010) !== 0;
  return (dir.mode & 0o001) !== 0;
}

/**
 * Whether `who` can reach `target` through every ancestor directory. A root-run
 * bqx-monitor starts PostgreSQL as `postgres`, which cannot enter a 0700 `/root`.
 */
export async function canTraverse(target: string, who: Identity): Promise<boolean> {
  let dir = path.resolve(target);
  const chain: string[] = [];
  for (;;) {
    chain.push(dir);
    const parent = path.dirname(dir);
    if (parent === dir) break;
    dir = parent;
  }
  for (const d of chain) {
    const s = await stat(d).catch(() => undefined);
    if (!s) continue; // not created yet: its parent decides
    if (!modeAllowsSearch({ uid: s.uid, gid: s.gid, mode: s.mode }, who)) return false;
  }
  return true;
}

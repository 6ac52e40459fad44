// CPU time from /proc, counted so that nothing is lost when processes exit: a process's
// own time plus what its reaped children used (cutime / cstime), over a live tree.
import { readFile } from 'node:fs/promises';
import { parents, tree } from './sampler.js';

const TICKS = 100; // USER_HZ on Linux

/** [own, reaped children's] CPU seconds of one process; undefined once it is gone. */
export async function processTicks(pid: number): Promise<[number, number] | undefined> {
  const stat = await readFile(`/proc/${pid}/stat`, 'utf8').catch(() => '');
  if (!stat) return undefined;
  const f = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  // Fields 14–17 of proc(5), counted from `state` (field 3) here: utime stime cutime cstime.
  return [(Number(f[11]) + Number(f[12])) / TICKS, (Number(f[13]) + Number(f[14])) / TICKS];
}

/**
 * CPU seconds used so far by `root` and everything that ran under it: the live tree's own
 * and reaped children's time. A child that exited between two calls is counted in its
 * parent's reaped time, so the difference of two calls is exact (to a tick).
 */
export async function cumulativeTicks(root: number): Promise<number> {
  const pids = tree(root, await parents());
  let total = 0;
  for (const pid of pids) {
    const t = await processTicks(pid);
    if (t) total += t[0] + t[1];
  }
  return total;
}

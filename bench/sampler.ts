// Once-a-second samples of the machine's CPU (/proc/stat) and of a process tree's CPU and
// RSS (/proc/<pid>/stat, statm), for the scale bench: how busy the cores were while work
// was left, and how much memory the run's processes held at most.
import { readdir, readFile } from 'node:fs/promises';
import os from 'node:os';

/** One second of the run. */
export interface CpuSample {
  /** Seconds since the sampler started. */
  readonly t: number;
  /** Cores busy on the whole machine (any process), 0 … cores. */
  readonly machineBusy: number;
  /** Cores the sampled trees used. */
  readonly ours: number;
  /** Resident memory of the first tree (the command and its children), MB. */
  readonly rssMb: number;
  /** One-minute load average. */
  readonly load1: number;
}

/** What a sampled stretch of time adds up to. */
export interface CpuSummary {
  readonly seconds: number;
  readonly cores: number;
  /** Share of the seconds in which at least half a core of the machine was idle. */
  readonly idleCoreShare: number;
  /** Machine idle time, in core-seconds. */
  readonly idleCoreSeconds: number;
  /** Mean cores used by the sampled trees. */
  readonly oursMean: number;
  /**
   * CPU time of the sampled trees, core-seconds: the work done, whatever else ran on the
   * machine (which only stretches the wall time over it).
   */
  readonly oursCoreSeconds: number;
  /**
   * Share of the seconds in which the sampled trees used less than all cores but half a
   * one: on a shared machine, other processes fill the cores this leaves, so the machine
   * looks busy while the run itself waits.
   */
  readonly oursShortShare: number;
  readonly peakRssMb: number;
  /** Mean one-minute load average while sampling. */
  readonly loadMean: number;
}

const TICKS = 100; // USER_HZ on Linux
const PAGE = 4096;

/** Jiffies of the machine: [busy, total]. */
async function machineJiffies(): Promise<[number, number]> {
  const line = (await readFile('/proc/stat', 'utf8')).split('\n')[0]!;
  const f = line.trim().split(/\s+/).slice(1, 9).map(Number);
  const idle = f[3]! + f[4]!;
  const total = f.reduce((a, b) => a + b, 0);
  return [total - idle, total];
}

/** Every process's parent, from /proc. */
export async function parents(): Promise<Map<number, number>> {
  const out = new Map<number, number>();
  for (const e of await readdir('/proc')) {
    if (!/^\d+$/.test(e)) continue;
    const stat = await readFile(`/proc/${e}/stat`, 'utf8').catch(() => '');
    if (!stat) continue;
    out.set(Number(e), Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]));
  }
  return out;
}

/** A root and its descendants. */
export function tree(root: number, parentOf: Map<number, number>): number[] {
  const out = [root];
  for (let i = 0; i < out.length; i++)
    for (const [pid, ppid] of parentOf) if (ppid === out[i]) out.push(pid);
  return out;
}

/** CPU ticks (user + system) and RSS bytes of each process. */
async function usage(
  pids: readonly number[],
): Promise<{ ticks: Map<number, number>; rss: Map<number, number> }> {
  const ticks = new Map<number, number>();
  const rss = new Map<number, number>();
  for (const pid of pids) {
    const stat = await readFile(`/proc/${pid}/stat`, 'utf8').catch(() => '');
    if (!stat) continue;
    const f = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    ticks.set(pid, Number(f[11]) + Number(f[12]));
    const statm = await readFile(`/proc/${pid}/statm`, 'utf8').catch(() => '');
    rss.set(pid, Number(statm.split(' ')[1] ?? 0) * PAGE);
  }
  return { ticks, rss };
}

/**
 * Samples every second until stopped: the machine, and the trees under `roots()` (the
 * first one's RSS is reported; e.g. the command, then the database server). CPU of a
 * process that exits between two samples is lost for that second.
 */
export function startSampler(roots: () => number[]): { stop(): Promise<CpuSample[]> } {
  const samples: CpuSample[] = [];
  const t0 = performance.now();
  let last = { at: t0, machine: [0, 0] as [number, number], ticks: new Map<number, number>() };
  let stopped = false;
  const cores = os.availableParallelism();
  const once = async (first: boolean) => {
    const parentOf = await parents();
    const trees = roots().map((r) => tree(r, parentOf));
    const all = trees.flat();
    const [u, m] = await Promise.all([usage(all), machineJiffies()]);
    const rss = (trees[0] ?? []).reduce((sum, pid) => sum + (u.rss.get(pid) ?? 0), 0);
    const at = performance.now();
    if (!first) {
      let ours = 0;
      for (const [pid, t] of u.ticks) ours += t - (last.ticks.get(pid) ?? t);
      const seconds = (at - last.at) / 1000;
      const [busy, total] = [m[0] - last.machine[0], m[1] - last.machine[1]];
      samples.push({
        t: (at - t0) / 1000,
        machineBusy: total > 0 ? (cores * busy) / total : 0,
        ours: ours / TICKS / seconds,
        rssMb: rss / 1e6,
        load1: os.loadavg()[0]!,
      });
    }
    last = { at, machine: m, ticks: u.ticks };
  };
  const loop = (async () => {
    await once(true);
    while (!stopped) {
      await new Promise((r) => setTimeout(r, 1000));
      await once(false);
    }
  })();
  return {
    async stop() {
      stopped = true;
      await loop;
      return samples;
    },
  };
}

/** Sums up samples (all of them: the caller samples only while work is left). */
export function summarize(samples: readonly CpuSample[]): CpuSummary {
  const cores = os.availableParallelism();
  const n = Math.max(1, samples.length);
  const idle = samples.map((s) => Math.max(0, cores - s.machineBusy));
  return {
    seconds: samples.at(-1)?.t ?? 0,
    cores,
    idleCoreShare: idle.filter((x) => x >= 0.5).length / n,
    idleCoreSeconds: idle.reduce((a, b) => a + b, 0),
    oursMean: samples.reduce((a, s) => a + s.ours, 0) / n,
    oursCoreSeconds: samples.reduce((a, s, i) => a + s.ours * (s.t - (samples[i - 1]?.t ?? 0)), 0),
    oursShortShare: samples.filter((s) => s.ours < cores - 0.5).length / n,
    peakRssMb: Math.max(0, ...samples.map((s) => s.rssMb)),
    loadMean: samples.reduce((a, s) => a + s.load1, 0) / n,
  };
}

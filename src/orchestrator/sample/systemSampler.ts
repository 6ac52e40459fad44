import os from 'node:os';
import { stat, statfs } from 'node:fs/promises';
import path from 'node:path';
import pidusage from 'pidusage';
import si from 'systeminformation';
import type { TrackName } from '../../tracks/protocol/events.js';

/** Use of one filesystem holding a directory the run writes to. */
export interface DiskSample {
  readonly label: string;
  readonly dir: string;
  /** The existing directory measured (the nearest existing ancestor of `dir`). */
  readonly mount: string;
  /** The filesystem's device number: directories on one filesystem share it. */
  readonly device: number;
  readonly usedBytes: number;
  readonly sizeBytes: number;
}

/** One worker process. */
export interface ProcessSample {
  readonly track: TrackName;
  readonly pid: number;
  /** Percent of one core. */
  readonly cpu: number;
  readonly rssBytes: number;
}

export interface SystemSample {
  readonly loadAvg: readonly [number, number, number];
  readonly cores: number;
  /** Total CPU use, percent. */
  readonly cpu: number;
  readonly perCore: readonly number[];
  readonly memUsedBytes: number;
  readonly memTotalBytes: number;
  readonly disks: readonly DiskSample[];
  readonly workers: readonly ProcessSample[];
}

/** Use of the filesystem holding `dir` (statfs: no process to spawn); undefined if gone. */
async function diskOf(label: string, dir: string): Promise<DiskSample | undefined> {
  // The directory may not exist yet (the output directory before the first file).
  for (let d = path.resolve(dir); ; d = path.dirname(d)) {
    try {
      const [st, { dev }] = await Promise.all([statfs(d), stat(d)]);
      const size = st.blocks * st.bsize;
      const usedBytes = size - st.bfree * st.bsize;
      return { label, dir, mount: d, device: dev, usedBytes, sizeBytes: size };
    } catch {
      if (path.dirname(d) === d) return undefined;
    }
  }
}

/** Busy and total CPU time per core at the previous sample. */
let lastCpus: Array<{ busy: number; total: number }> | undefined;

/**
 * CPU use per core since the previous call, from the kernel's counters via `os.cpus()`
 * (systeminformation's `currentLoad()` forks a shell on every call: too costly every 2 s).
 */
function cpuUse(): { total: number; perCore: number[] } {
  const now = os.cpus().map((c) => {
    const t = c.times;
    const total = t.user + t.nice + t.sys + t.idle + t.irq;
    return { busy: total - t.idle, total };
  });
  const prev = lastCpus;
  lastCpus = now;
  const perCore = now.map((c, i) => {
    const p = prev?.[i] ?? { busy: 0, total: 0 };
    const dt = c.total - p.total;
    return dt > 0 ? (100 * (c.busy - p.busy)) / dt : 0;
  });
  const total = perCore.reduce((a, b) => a + b, 0) / Math.max(1, perCore.length);
  return { total, perCore };
}

/**
 * Samples the machine (systeminformation) and the run's worker processes (pidusage).
 * CPU use is measured between two calls, so the first sample's CPU is since boot.
 */
export async function sampleSystem(opts: {
  dirs: ReadonlyArray<{ label: string; dir: string }>;
  workers: ReadonlyArray<{ track: TrackName; pid: number }>;
}): Promise<SystemSample> {
  const load = cpuUse();
  const [mem, ...found] = await Promise.all([
    si.mem(),
    ...opts.dirs.map((d) => diskOf(d.label, d.dir)),
  ]);
  const disks = found.filter((d): d is DiskSample => d !== undefined);
  let usage: Record<string, { cpu: number; memory: number }> = {};
  const pids = opts.workers.map((w) => w.pid);
  if (pids.length > 0) {
    // A worker may exit between listing and sampling: sample one by one, skip the gone.
    const each = await Promise.all(
      pids.map((p) =>
        pidusage(p).then(
          (u) => [p, u] as const,
          () => undefined,
        ),
      ),
    );
    usage = Object.fromEntries(each.filter((x) => x !== undefined));
  }
  const la = os.loadavg();
  return {
    loadAvg: [la[0] ?? 0, la[1] ?? 0, la[2] ?? 0],
    cores: os.availableParallelism(),
    cpu: load.total,
    perCore: load.perCore,
    memUsedBytes: mem.active,
    memTotalBytes: mem.total,
    disks,
    workers: opts.workers.flatMap((w) => {
      const u = usage[w.pid];
      return u ? [{ track: w.track, pid: w.pid, cpu: u.cpu, rssBytes: u.memory }] : [];
    }),
  };
}

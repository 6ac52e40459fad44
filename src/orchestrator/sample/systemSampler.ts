import os from 'node:os';
import path from 'node:path';
import pidusage from 'pidusage';
import si from 'systeminformation';
import type { TrackName } from '../../tracks/protocol/events.js';

/** Use of one filesystem holding a directory the run writes to. */
export interface DiskSample {
  readonly label: string;
  readonly dir: string;
  readonly mount: string;
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

/** The mount holding `dir` (longest mount-point prefix). */
function mountFor<T extends { mount: string }>(mounts: readonly T[], dir: string): T | undefined {
  const abs = path.resolve(dir);
  let best: T | undefined;
  for (const m of mounts) {
    const inside =
      abs === m.mount || abs.startsWith(m.mount.endsWith('/') ? m.mount : `${m.mount}/`);
    if (inside && (!best || m.mount.length > best.mount.length)) best = m;
  }
  return best;
}

/**
 * Samples the machine (systeminformation) and the run's worker processes (pidusage).
 * CPU use is measured between two calls, so the first sample's CPU is since boot.
 */
export async function sampleSystem(opts: {
  dirs: ReadonlyArray<{ label: string; dir: string }>;
  workers: ReadonlyArray<{ track: TrackName; pid: number }>;
}): Promise<SystemSample> {
  const [load, mem, fs] = await Promise.all([
    si.currentLoad(),
    si.mem(),
    si.fsSize().catch(() => [] as si.Systeminformation.FsSizeData[]),
  ]);
  const disks: DiskSample[] = [];
  for (const d of opts.dirs) {
    const m = mountFor(fs, d.dir);
    if (m)
      disks.push({
        label: d.label,
        dir: d.dir,
        mount: m.mount,
        usedBytes: m.used,
        sizeBytes: m.size,
      });
  }
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
    cpu: load.currentLoad,
    perCore: load.cpus.map((c) => c.load),
    memUsedBytes: mem.active,
    memTotalBytes: mem.total,
    disks,
    workers: opts.workers.flatMap((w) => {
      const u = usage[w.pid];
      return u ? [{ track: w.track, pid: w.pid, cpu: u.cpu, rssBytes: u.memory }] : [];
    }),
  };
}

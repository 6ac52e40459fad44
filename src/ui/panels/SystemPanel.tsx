import type { DatabaseSample } from '../../orchestrator/sample/databaseSampler.js';
import type { DiskSample, SystemSample } from '../../orchestrator/sample/systemSampler.js';
import { type Field, type FlowLine, field, flow } from '../flow.js';
import { gigabytes, levelOf, sparkline } from '../format.js';
import { type Theme, txt } from '../theme.js';
import { FlowLines } from './FlowLines.js';

const LEVEL_COLOUR = { ok: 'green', warn: 'yellow', high: 'red' } as const;

/** `27%` in the colour of its level. */
const pct = (value: number) => ({
  text: `${value.toFixed(0)}%`,
  color: LEVEL_COLOUR[levelOf(value)],
});

export interface SystemPanelProps {
  readonly system: SystemSample | undefined;
  readonly database: DatabaseSample | undefined;
  /** Password-free description of the database ("embedded postgresql://bqx:****@…"). */
  readonly target: string;
  /** Total CPU use history, percent, oldest first. */
  readonly cpuHistory: readonly number[];
  readonly width: number;
  /**
   * The run's workers on this host as every panel counts them (state/hosts.ts
   * `supervisorWorkers`); default: the processes sampled.
   */
  readonly workers?: number;
  /** At most this many busy workers this run (a `+` may have raised it); undefined: unknown. */
  readonly budget?: number | undefined;
}

/** Directories on one filesystem shown once ("data+out 20.0/388.0 GB 5%"). */
function diskFields(disks: readonly DiskSample[]): Field[] {
  const byDevice = new Map<number, DiskSample[]>();
  for (const d of disks) byDevice.set(d.device, [...(byDevice.get(d.device) ?? []), d]);
  return [...byDevice.values()].map((same) => {
    const k = same[0]!;
    return [
      { text: `${same.map((d) => d.label).join('+')} ${gigabytes(k.usedBytes, k.sizeBytes)} ` },
      pct((100 * k.usedBytes) / Math.max(1, k.sizeBytes)),
    ];
  });
}

/** `3/3 on 2 cores`: the workers beside the run's budget and the cores (`3` without a budget). */
function workersOf(p: SystemPanelProps, s: SystemSample): string {
  const n = p.workers ?? s.workers.length;
  return p.budget === undefined ? `${n}` : `${n}/${p.budget} on ${s.cores} cores`;
}

/**
 * The machine's lines (load, CPU with its sparkline, per-core use where there is room,
 * memory, disks, workers) and the database's (target, connections, size), as whole
 * fields wrapped to the width: nothing is cut at 80 columns.
 */
export function systemLines(p: SystemPanelProps, t: Theme): FlowLine[] {
  const s = p.system;
  const d = p.database;
  const connPct = d ? (100 * d.connections) / Math.max(1, d.maxConnections) : 0;
  // A short lead: an embedded server's URL, its connections and size fit 80 columns.
  const db = flow(
    [
      field(txt(t, p.target)),
      d
        ? [
            { text: 'conns ' },
            { text: `${d.connections}/${d.maxConnections}`, color: LEVEL_COLOUR[levelOf(connPct)] },
          ]
        : field(txt(t, 'conns —')),
      ...(d ? [field(`${(d.sizeBytes / 1e9).toFixed(2)} GB`)] : []),
    ],
    p.width,
    'DB  ',
    '    ',
  );
  if (!s) return [{ lead: 'System  ', fields: [field(txt(t, 'sampling…'))] }, ...db];
  const memPct = (100 * s.memUsedBytes) / Math.max(1, s.memTotalBytes);
  const workerCpu = s.workers.reduce((a, w) => a + w.cpu, 0);
  const workerRss = s.workers.reduce((a, w) => a + w.rssBytes, 0);
  const wide = p.width >= 110;
  const spark = sparkline(p.cpuHistory, wide ? 30 : 12, t.g);
  const fields: Field[] = [
    field(`load ${s.loadAvg.map((x) => x.toFixed(2)).join(' ')} (${s.cores} cores)`),
    [{ text: 'CPU ' }, pct(s.cpu), { text: spark ? ` ${spark}` : '' }],
    ...(wide ? [field(`cores ${s.perCore.map((c) => `${c.toFixed(0)}%`).join(' ')}`)] : []),
    [{ text: `mem ${gigabytes(s.memUsedBytes, s.memTotalBytes)} ` }, pct(memPct)],
    ...diskFields(s.disks),
    field(
      `workers ${workersOf(p, s)} (${workerCpu.toFixed(0)}% cpu, ${(workerRss / 1e6).toFixed(0)} MB)`,
    ),
  ];
  return [...flow(fields, p.width, 'System  ', '        '), ...db];
}

/** Load, CPU (with a sparkline), memory, disks, workers, and the database. */
export function SystemPanel({ lines }: { lines: readonly FlowLine[] }) {
  return <FlowLines lines={lines} />;
}

// `npm run bench -- --only eta`: how true the ETA is on the demo. Two whole runs on a fresh
// embedded database: the first seeds the demo and runs it with no history; the second
// (`--recompute`) has the first's recorded unit times to estimate from.
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { execa } from 'execa';
import { describeEta, type EtaPoint, etaAccuracy } from './etaAccuracy.js';

const CLI = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../src/cli/main.js');

/** One run's ETA accuracy and wall time. */
export interface EtaRun {
  readonly label: string;
  readonly wall_s: number;
  readonly points: EtaPoint[];
}

/** Runs `bqx-monitor run --json [extra]` on `dataDir` and judges its ETA. */
async function judged(dataDir: string, label: string, extra: string[]): Promise<EtaRun> {
  const t0 = performance.now();
  const r = await execa(
    'node',
    [CLI, '--data-dir', dataDir, '--out', path.join(dataDir, 'out'), 'run', '--json', ...extra],
    { reject: false, env: { DATABASE_URL: '', PGHOST: '', PGDATABASE: '' } },
  );
  if (r.exitCode !== 0) throw new Error(`run ${label} exited ${r.exitCode}: ${r.stderr}`);
  const lines = String(r.stdout)
    .split('\n')
    .filter((l) => l.startsWith('{'))
    .map((l) => JSON.parse(l) as unknown);
  return { label, wall_s: (performance.now() - t0) / 1000, points: etaAccuracy(lines) };
}

/** The demo run twice: without history, then with it. */
export async function benchEta(): Promise<EtaRun[]> {
  const dataDir = await mkdtemp(path.join(os.tmpdir(), 'bqx-bench-eta-'));
  try {
    const first = await judged(dataDir, 'first run (seeds the demo; no history)', []);
    const second = await judged(dataDir, 'second run (--recompute; history)', ['--recompute']);
    return [first, second];
  } finally {
    await rm(dataDir, { recursive: true, force: true });
  }
}

/** The ETA's error at each share of the units, per run. */
export function printEta(runs: readonly EtaRun[], write: (s: string) => void): void {
  write(
    `\nETA on the demo against the time each run still took (load ${os
      .loadavg()
      .map((x) => x.toFixed(2))
      .join(' ')}):\n`,
  );
  for (const r of runs) write(`  ${r.label}, ${r.wall_s.toFixed(0)} s: ${describeEta(r.points)}\n`);
}

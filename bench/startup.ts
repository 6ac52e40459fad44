// `npm run bench -- --only startup`: how long whole commands take, start to exit, beside
// Node's own start-up (`node -e 0`) in the same run.
import { spawnSync } from 'node:child_process';
import { mkdtemp } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { median } from './stats.js';

/** One command's medians. */
export interface StartupRow {
  readonly command: string;
  readonly runs: number;
  readonly median_ms: number;
  readonly target_ms: number | null;
}

/** Milliseconds of one run of `file args` to its exit (it must succeed). */
function once(file: string, args: readonly string[], env: NodeJS.ProcessEnv, cwd: string): number {
  const t0 = performance.now();
  const r = spawnSync(file, args, { env, cwd, stdio: ['ignore', 'ignore', 'pipe'] });
  const ms = performance.now() - t0;
  if (r.status !== 0) throw new Error(`${file} ${args.join(' ')} exited ${r.status}: ${r.stderr}`);
  return ms;
}

/**
 * Times each command `runs` times (one warm-up first) against the database `dbUrl` (it
 * travels in the environment, never on a command line) and returns the medians.
 */
export async function benchStartup(o: {
  readonly cli: string;
  readonly root: string;
  readonly dbUrl: string;
  readonly runs: number;
}): Promise<StartupRow[]> {
  const out = await mkdtemp(path.join(os.tmpdir(), 'bqx-bench-startup-'));
  const env = { ...process.env, DATABASE_URL: o.dbUrl, NODE_ENV: 'production' };
  const node = process.execPath;
  const cases: Array<{ command: string; file: string; args: string[]; target: number | null }> = [
    { command: 'node -e 0', file: node, args: ['-e', '0'], target: null },
    { command: 'bqx-monitor --version', file: node, args: [o.cli, '--version'], target: 100 },
    { command: 'bqx-monitor --help', file: node, args: [o.cli, '--help'], target: 100 },
    { command: 'bqx-monitor status', file: node, args: [o.cli, 'status'], target: 200 },
    { command: 'bqx-monitor doctor', file: node, args: [o.cli, 'doctor'], target: 300 },
    {
      command: 'bqx-monitor track bollinger (1 unit)',
      file: node,
      args: [o.cli, '--out', out, 'track', 'bollinger', '--pair', 'eurusd', '--month', '2024-10'],
      target: 400,
    },
    {
      command: 'npx bqx-monitor --version',
      file: 'npx',
      args: ['--no-install', 'bqx-monitor', '--version'],
      target: 400,
    },
  ];
  const rows: StartupRow[] = [];
  for (const c of cases) {
    once(c.file, c.args, env, o.root);
    const times: number[] = [];
    for (let i = 0; i < o.runs; i++) times.push(once(c.file, c.args, env, o.root));
    rows.push({ command: c.command, runs: o.runs, median_ms: median(times), target_ms: c.target });
  }
  return rows;
}

/** The table, with the load average it was measured under. */
export function printStartup(rows: readonly StartupRow[]): void {
  const load = os
    .loadavg()
    .map((x) => x.toFixed(2))
    .join(' ');
  process.stdout.write(
    `\nstart-up, whole process (median of ${rows[0]?.runs} runs; load ${load}):\n`,
  );
  for (const r of rows) {
    const target = r.target_ms === null ? '' : `  target <= ${r.target_ms} ms`;
    process.stdout.write(
      `  ${r.command.padEnd(40)} ${String(Math.round(r.median_ms)).padStart(6)} ms${target}\n`,
    );
  }
}

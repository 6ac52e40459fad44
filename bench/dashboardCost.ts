// What watching costs: the dashboard's process of a real run in a real terminal (tmux) —
// the view `run` attaches to the run it starts in the background (the supervisor, a
// process of its own with `supervise` in its command line, is not matched) — sampled once
// a second: CPU (percent of one core) and RSS.
import { readFileSync } from 'node:fs';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { execa } from 'execa';
import pidusage from 'pidusage';
import { processTicks } from './processTicks.js';
import { median } from './stats.js';

const CLI = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../src/cli/main.js');

export interface DashboardCost {
  seconds: number;
  samples: number;
  cpu_percent_median: number;
  cpu_percent_p90: number;
  /** CPU time from the third sample to the run's end ÷ that wall time (after its start-up). */
  cpu_percent_mean: number;
  rss_mb_max: number;
}

/** A process's executable name (Linux). */
function comm(pid: number): string {
  try {
    return readFileSync(`/proc/${pid}/comm`, 'utf8').trim();
  } catch {
    return '';
  }
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

export async function benchDashboard(url: string): Promise<DashboardCost> {
  const dir = await mkdtemp(path.join(os.tmpdir(), 'bqx-bench-ui-'));
  const session = `bqx-bench-${process.pid}`;
  const config = path.join(dir, 'config.json');
  await writeFile(
    config,
    JSON.stringify({
      pairs: ['eurusd', 'gbpusd'],
      months: {
        bollinger: { from: '2024-07', to: '2024-09' },
        regression: { from: '2024-07', to: '2024-09' },
      },
    }),
  );
  const cmd = `env DATABASE_URL='${url}' LANG=C.UTF-8 node ${CLI} --out ${dir}/out --config ${config} run --recompute; sleep 60`;
  await execa('tmux', ['new-session', '-d', '-s', session, '-x', '100', '-y', '32', cmd]);
  const screen = async () =>
    String((await execa('tmux', ['capture-pane', '-p', '-t', session], { reject: false })).stdout);
  try {
    let pid: number | undefined;
    for (let i = 0; i < 100 && pid === undefined; i++) {
      await sleep(100);
      const r = await execa('pgrep', ['-f', `${dir}/out --config ${config} run`], {
        reject: false,
      });
      // The tmux shell's command line matches too: the dashboard is the `node` process.
      pid = String(r.stdout)
        .split('\n')
        .map(Number)
        .find((p) => p > 0 && p !== process.pid && comm(p) === 'node');
    }
    if (pid === undefined) throw new Error('the dashboard process did not start');
    const cpu: number[] = [];
    let rss = 0;
    const t0 = Date.now();
    await pidusage(pid);
    // The mean leaves out the process's start (Node, its modules, the first frames).
    let from: { at: number; cpu: number } | undefined;
    while (!(await screen()).includes('Run complete')) {
      if (Date.now() - t0 > 600_000) throw new Error('the run did not complete in 10 minutes');
      await sleep(1000);
      const u = await pidusage(pid);
      cpu.push(u.cpu);
      if (cpu.length === 3) from = { at: Date.now(), cpu: (await processTicks(pid))?.[0] ?? 0 };
      rss = Math.max(rss, u.memory);
    }
    const cpuMean = from
      ? (100 * (((await processTicks(pid))?.[0] ?? from.cpu) - from.cpu)) /
        ((Date.now() - from.at) / 1000)
      : Number.NaN;
    await execa('tmux', ['send-keys', '-t', session, 'q']);
    const sorted = [...cpu].sort((a, b) => a - b);
    return {
      seconds: (Date.now() - t0) / 1000,
      samples: cpu.length,
      cpu_percent_median: median(cpu),
      cpu_percent_p90: sorted[Math.floor(sorted.length * 0.9)] ?? Number.NaN,
      cpu_percent_mean: cpuMean,
      rss_mb_max: rss / 1e6,
    };
  } finally {
    await sleep(2000);
    await execa('tmux', ['kill-session', '-t', session], { reject: false });
    await rm(dir, { recursive: true, force: true });
  }
}

// Queue overhead per unit: a real `plan` and a real `worker --until-empty` over units whose
// months have no data (each unit is a few milliseconds of its own work), so the time between
// one unit's end and the next one's start is the queue's: fetch, lock, complete.
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { execa } from 'execa';
import { median } from './stats.js';

const CLI = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../src/cli/main.js');

export interface QueueRow {
  units: number;
  runs: number;
  /** Median over runs of the mean gap between consecutive units of one worker. */
  overhead_ms_per_unit: number;
  /** Median wall time per unit, own work included. */
  wall_ms_per_unit: number;
}

export async function benchQueue(url: string, runs: number): Promise<QueueRow> {
  const dir = await mkdtemp(path.join(os.tmpdir(), 'bqx-bench-queue-'));
  const config = path.join(dir, 'config.json');
  // 2 pairs × 60 future months: 120 units of Track 1 with no data.
  await writeFile(
    config,
    JSON.stringify({
      pairs: ['eurusd', 'gbpusd'],
      // Track 2's span is a future month too: the plan queues nothing that would outlive
      // this bench (the other tracks' units in scope are done or have no data).
      months: {
        bollinger: { from: '2030-01', to: '2034-12' },
        regression: { from: '2030-01', to: '2030-01' },
      },
    }),
  );
  const env = { DATABASE_URL: url };
  const gaps: number[] = [];
  const walls: number[] = [];
  let units = 0;
  try {
    for (let i = 0; i < runs; i++) {
      await execa('node', [CLI, '--config', config, 'plan', '--recompute', 'bollinger'], { env });
      const r = await execa(
        'node',
        [CLI, '--config', config, 'worker', '--track', 'bollinger', '--until-empty'],
        { env },
      );
      const events = String(r.stdout)
        .split('\n')
        .filter(Boolean)
        .map((l) => JSON.parse(l) as { type: string; ts: string });
      const starts = events.filter((e) => e.type === 'unit_start').map((e) => Date.parse(e.ts));
      const ends = events
        .filter((e) => e.type === 'unit_empty' || e.type === 'unit_done')
        .map((e) => Date.parse(e.ts));
      units = starts.length;
      const between = starts.slice(1).map((s, k) => s - ends[k]!);
      gaps.push(between.reduce((a, b) => a + b, 0) / Math.max(1, between.length));
      walls.push((ends.at(-1)! - starts[0]!) / Math.max(1, units));
    }
    // Drain Track 2's two no-data units the plan queued, so no later run inherits them.
    await execa(
      'node',
      [CLI, '--config', config, 'worker', '--track', 'regression', '--until-empty'],
      { env },
    );
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
  return { units, runs, overhead_ms_per_unit: median(gaps), wall_ms_per_unit: median(walls) };
}

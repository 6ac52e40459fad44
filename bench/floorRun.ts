// The database floor of a whole run, measured on its server right after it: every output
// partition the run wrote copied out and back in (binary COPY, in one transaction as a unit
// writes), and each pair's join copied out (what Track 3 reads), by as many streams as the
// machine has cores, the largest tasks first. What no implementation of the pipeline can
// go below on this server: the run's time is compared with it.
import os from 'node:os';
import type pg from 'pg';
import { settingsFrom } from '../src/config/validate.js';
import type { openDatabase } from '../src/db/connection/open.js';
import { extractionCopySql } from '../src/tracks/extraction/joinQuery.js';
import { loadJoinCatalog } from '../src/tracks/extraction/loadCatalog.js';
import { copyOut, dumpBinary, replaceWithCopy } from './floor.js';
import { cumulativeTicks } from './processTicks.js';

type Db = Awaited<ReturnType<typeof openDatabase>>;

/** Output tables per track, keyed as the partitions are named (bqx.{key}_{pair}_{yyyy_mm}). */
const OUTPUT_KEYS: Record<string, readonly string[]> = {
  bollinger: ['bollinger_bqx'],
  regression: ['reg_rate', 'reg_bqx'],
};

export interface RunFloor {
  /** Wall time of the whole floor, `streams` at a time. */
  readonly wall_s: number;
  readonly streams: number;
  /** Σ of the tasks' times, stream-seconds. */
  readonly work_s: number;
  /** CPU of the server and of this process while it ran, core-seconds. */
  readonly cpu_core_s: number;
  /** Per track, the summed floor of its units, seconds. */
  readonly by_track: Record<string, number>;
  /** Per unit (`track unit`), ms: the accounting's floor of each unit. */
  readonly units: Record<string, number>;
}

interface Task {
  readonly track: string;
  readonly unit: string;
  readonly weight: number;
  run(c: pg.ClientBase): Promise<void>;
}

/**
 * Measures the floor of `done` (the run's finished units with data) on `db`'s server.
 * `serverPid`: the postmaster, whose process tree's CPU is counted.
 */
export async function measureRunFloor(
  db: Db,
  done: ReadonlyArray<{ track: string; unit: string }>,
  serverPid: number,
): Promise<RunFloor> {
  const tasks: Task[] = [];
  for (const { track, unit } of done) {
    const [pair, month] = unit.split('/');
    if (track === 'extraction') {
      const catalog = await db.withPgClient((c) => loadJoinCatalog(c, settingsFrom({}), pair!));
      const { select } = extractionCopySql(settingsFrom({}), pair!, catalog);
      tasks.push({
        track,
        unit,
        weight: 100,
        run: async (c) => void (await copyOut(c, `${select} ORDER BY 1`)),
      });
      continue;
    }
    const tables = (OUTPUT_KEYS[track] ?? []).map(
      (k) => `bqx.${k}_${pair}_${month!.replace('-', '_')}`,
    );
    tasks.push({
      track,
      unit,
      weight: tables.length,
      run: async (c) => {
        const data = [];
        for (const table of tables) data.push({ table, data: await dumpBinary(c, table) });
        await replaceWithCopy(c, data);
      },
    });
  }
  tasks.sort((a, b) => b.weight - a.weight);
  const streams = os.availableParallelism();
  const units: Record<string, number> = {};
  const byTrack: Record<string, number> = {};
  const cpu0 = { server: await cumulativeTicks(serverPid), self: process.cpuUsage() };
  const t0 = performance.now();
  let next = 0;
  await Promise.all(
    Array.from({ length: streams }, () =>
      db.withPgClient(async (c) => {
        for (let t = tasks[next++]; t; t = tasks[next++]) {
          const start = performance.now();
          await t.run(c);
          const ms = performance.now() - start;
          units[`${t.track} ${t.unit}`] = ms;
          byTrack[t.track] = (byTrack[t.track] ?? 0) + ms / 1000;
        }
      }),
    ),
  );
  const wall = (performance.now() - t0) / 1000;
  const self = process.cpuUsage(cpu0.self);
  const server = (await cumulativeTicks(serverPid)) - cpu0.server;
  return {
    wall_s: wall,
    streams,
    work_s: Object.values(units).reduce((a, b) => a + b, 0) / 1000,
    cpu_core_s: server + (self.user + self.system) / 1e6,
    by_track: byTrack,
    units,
  };
}

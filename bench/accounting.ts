// Where a run's time goes: its stored events (bqx_monitor.run_events) laid over the
// machine's cores as slots, so that every slot-second of the run lands in exactly one
// line and the lines add up to cores × wall. The floor of each unit comes from the floor
// measured right after the run (bench/floorRun.ts), the compute from the unit's own split.
import type { WorkerEvent } from '../src/tracks/protocol/events.js';

/** The stored events the accounting reads (a subset of RunEvent, as JSON). */
export type StoredEvent =
  | { type: 'child_started' | 'child_exited'; at: number; pid: number; track: string }
  | { type: 'worker_event'; at: number; pid: number; track: string; event: WorkerEvent }
  | { type: string; at: number };

/** One line of the table: slot-seconds, and per track where it is per track. */
export interface AccountLine {
  readonly label: string;
  readonly seconds: number;
  readonly byTrack?: Record<string, number>;
}

export interface RunAccount {
  readonly cores: number;
  readonly wallSeconds: number;
  readonly lines: readonly AccountLine[];
  /** Σ of the lines: cores × wall, by construction (a check of the bookkeeping). */
  readonly totalSeconds: number;
  /** The tracks' own computation, seconds (units' `split.compute`). */
  readonly computeSeconds: number;
  readonly workers: number;
  readonly units: number;
}

interface Worker {
  track: string;
  spawn: number;
  ready?: number;
  exit?: number;
  units: Array<{ unit: string; start: number; end: number; compute: number; noData: boolean }>;
  open?: { unit: string; start: number };
}

const add = (r: Record<string, number>, k: string, v: number) => {
  r[k] = (r[k] ?? 0) + v;
};
const sum = (r: Record<string, number>) => Object.values(r).reduce((a, b) => a + b, 0);

/** The workers of a run and their units, from its events in order. */
function workersOf(events: readonly StoredEvent[]): Map<number, Worker> {
  const workers = new Map<number, Worker>();
  for (const e of events) {
    if (e.type === 'child_started' && 'pid' in e) {
      workers.set(e.pid, { track: e.track, spawn: e.at, units: [] });
      continue;
    }
    if (!('pid' in e)) continue;
    const w = workers.get(e.pid);
    if (!w) continue;
    if (e.type === 'child_exited') w.exit = e.at;
    if (e.type !== 'worker_event' || !('event' in e)) continue;
    const ev = e.event;
    if (ev.type === 'worker_start') w.ready = e.at;
    else if (ev.type === 'unit_start') w.open = { unit: ev.unit, start: e.at };
    else if (
      (ev.type === 'unit_done' ||
        ev.type === 'unit_empty' ||
        ev.type === 'unit_failed' ||
        ev.type === 'unit_interrupted') &&
      w.open?.unit === ev.unit
    ) {
      const compute = ev.type === 'unit_done' ? (ev.split?.compute ?? 0) : 0;
      w.units.push({
        unit: ev.unit,
        start: w.open.start,
        end: e.at,
        compute,
        noData: ev.type !== 'unit_done',
      });
      w.open = undefined;
    }
  }
  return workers;
}

/**
 * Accounts a run of `cores` slots from `t0` (the command started) to `t1` (it exited):
 * - start: before the first worker was spawned (migrations, preflight, the plan), all slots;
 * - worker start-ups: spawn → the worker's first event;
 * - per unit, by track: its database floor (`floorMs`, measured after the run), the
 *   computation (the unit's split), and the rest above the floor (unit time − both);
 * - between units: a ready worker not in a unit (the queue, claiming, its exit);
 * - idle slots: slots with no worker between the first spawn and the last exit;
 * - end: after the last worker exited (closing ANALYZE, the report), all slots.
 * Times are the supervisor's (`at`); a worker running past `t1` is cut at `t1`.
 */
export function accountRun(o: {
  events: readonly StoredEvent[];
  t0: number;
  t1: number;
  cores: number;
  floorMs: (track: string, unit: string) => number;
}): RunAccount {
  const workers = [...workersOf(o.events).values()];
  const clip = (t: number) => Math.min(o.t1, Math.max(o.t0, t));
  const firstSpawn = clip(Math.min(o.t1, ...workers.map((w) => w.spawn)));
  const lastExit = clip(Math.max(firstSpawn, ...workers.map((w) => w.exit ?? o.t1)));
  const startUp: Record<string, number> = {};
  const floor: Record<string, number> = {};
  const compute: Record<string, number> = {};
  const above: Record<string, number> = {};
  const between: Record<string, number> = {};
  let lifetimes = 0;
  let units = 0;
  for (const w of workers) {
    const spawn = clip(w.spawn);
    const exit = clip(w.exit ?? o.t1);
    const ready = clip(w.ready ?? w.units[0]?.start ?? exit);
    lifetimes += exit - spawn;
    add(startUp, w.track, ready - spawn);
    let inUnits = 0;
    for (const u of w.units) {
      const ms = clip(u.end) - clip(u.start);
      const f = u.noData ? 0 : o.floorMs(w.track, u.unit);
      add(floor, w.track, f);
      add(compute, w.track, u.compute);
      add(above, w.track, ms - f - u.compute);
      inUnits += ms;
      units++;
    }
    add(between, w.track, exit - ready - inUnits);
  }
  const s = (ms: number) => ms / 1000;
  const perTrack = (r: Record<string, number>) =>
    Object.fromEntries(Object.entries(r).map(([k, v]) => [k, s(v)]));
  const lines: AccountLine[] = [
    {
      label: 'start: migrate, preflight, plan (all slots)',
      seconds: s(o.cores * (firstSpawn - o.t0)),
    },
    {
      label: `worker start-ups (${workers.length} workers)`,
      seconds: s(sum(startUp)),
      byTrack: perTrack(startUp),
    },
    { label: 'units: database floor', seconds: s(sum(floor)), byTrack: perTrack(floor) },
    { label: "units: the tracks' compute", seconds: s(sum(compute)), byTrack: perTrack(compute) },
    { label: 'units: above floor + compute', seconds: s(sum(above)), byTrack: perTrack(above) },
    {
      label: 'between units: queue, claim, exit',
      seconds: s(sum(between)),
      byTrack: perTrack(between),
    },
    {
      label: 'idle slots while units ran',
      seconds: s(o.cores * (lastExit - firstSpawn) - lifetimes),
    },
    { label: 'end: closing ANALYZE, report (all slots)', seconds: s(o.cores * (o.t1 - lastExit)) },
  ];
  return {
    cores: o.cores,
    wallSeconds: s(o.t1 - o.t0),
    lines,
    totalSeconds: lines.reduce((a, l) => a + l.seconds, 0),
    computeSeconds: s(sum(compute)),
    workers: workers.length,
    units,
  };
}

/** What the table prints beside the account: the run's floor and CPU. */
export interface AccountContext {
  readonly pairs: number;
  readonly floorWall: number;
  readonly floorCpu: number;
  readonly floorByTrack: Record<string, number>;
  readonly cpu?: { total_s: number; workers_s: number; server_s: number };
}

/**
 * The account as a table: slot-seconds per line, its share of the run, per pair, and per
 * track where it is per track; then the run's CPU by process against the floor's.
 */
export function printAccount(a: RunAccount, c: AccountContext, write: (s: string) => void): void {
  const tracks = ['bollinger', 'regression', 'extraction'];
  const f = (x: number, d = 1) => x.toFixed(d);
  const head = ['where the slot-seconds went', 'slot-s', 'share', 's/pair', ...tracks];
  const rows = a.lines.map((l) => [
    l.label,
    f(l.seconds),
    `${f((100 * l.seconds) / a.totalSeconds, 1)}%`,
    f(l.seconds / c.pairs, 2),
    ...tracks.map((t) => (l.byTrack ? f(l.byTrack[t] ?? 0) : '')),
  ]);
  rows.push([
    `total = ${a.cores} cores × ${f(a.wallSeconds)} s wall`,
    f(a.totalSeconds),
    '100%',
    f(a.totalSeconds / c.pairs, 2),
    '',
    '',
    '',
  ]);
  const widths = head.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i]!.length)));
  const out = (cells: string[]) =>
    cells.map((x, i) => (i === 0 ? x.padEnd(widths[i]!) : x.padStart(widths[i]!))).join('  ');
  write(`${out(head)}\n${widths.map((w) => '-'.repeat(w)).join('  ')}\n`);
  for (const r of rows) write(`${out(r)}\n`);
  const byTrack = tracks.map((t) => `${t} ${f(c.floorByTrack[t] ?? 0)}`).join(', ');
  write(
    `floor right after it: ${f(c.floorWall)} s wall (${byTrack} stream-s), ${f(c.floorCpu)} core-s; run wall ÷ floor wall ${f(a.wallSeconds / c.floorWall, 2)}×\n`,
  );
  if (c.cpu) {
    const total = c.cpu.total_s + c.cpu.server_s;
    const supervisor = c.cpu.total_s - c.cpu.workers_s;
    write(
      `run CPU ${f(total)} core-s = server ${f(c.cpu.server_s)} + workers ${f(c.cpu.workers_s)} + supervisor ${f(supervisor)} (its event stream, snapshots, samples); ÷ (floor ${f(c.floorCpu)} + compute ${f(a.computeSeconds)}) = ${f(total / (c.floorCpu + a.computeSeconds), 2)}×\n`,
    );
  }
}

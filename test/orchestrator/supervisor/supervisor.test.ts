import { readFileSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterEach, describe, expect, it } from 'vitest';
import { isAlive as processAlive } from '../../../src/db/embedded/processes.js';
import type { RunEvent } from '../../../src/orchestrator/state/events.js';
import {
  initialState,
  type RunState,
  reduce,
  trackStatus,
} from '../../../src/orchestrator/state/runState.js';
import { Supervisor } from '../../../src/orchestrator/supervisor/supervisor.js';
import { describeNote } from '../../../src/orchestrator/text/describe.js';
import type { TrackName } from '../../../src/tracks/protocol/events.js';

const FIXTURE = path.resolve(
  path.dirname(fileURLToPath(import.meta.url)),
  '../../fixtures/workers/fixtureWorker.mjs',
);

/** Linux process state letter: R/S running or sleeping, T stopped. */
function procState(pid: number): string {
  return readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]!.slice(0, 1);
}

const cleanups: Array<() => Promise<void>> = [];
afterEach(async () => {
  for (const c of cleanups.splice(0)) await c();
});

function harness(opts: {
  mode: string | ((n: number) => string);
  track?: TrackName;
  workers?: number;
  total?: number;
  maxRestarts?: number;
  graceMs?: number;
  backoffMs?: number;
  extraArgs?: string[];
  budget?: number;
}) {
  const track = opts.track ?? 'bollinger';
  let state: RunState = reduce(initialState(Date.now()), {
    type: 'run_planned',
    at: Date.now(),
    runId: 'test',
    maxAttempts: 3,
    stallMs: 60_000,
    tracks: [
      { track, total: opts.total ?? 2, done: 0, empty: 0, rows: 0, workers: opts.workers ?? 1 },
    ],
  });
  const events: RunEvent[] = [];
  const died: number[] = [];
  const paused: Array<[string, string, number]> = [];
  let spawned = 0;
  const sup = new Supervisor({
    tracks: [{ track, workers: opts.workers ?? 1 }],
    ...(opts.budget ? { budget: opts.budget } : {}),
    command: () => {
      const mode = typeof opts.mode === 'string' ? opts.mode : opts.mode(spawned);
      spawned++;
      return { file: process.execPath, args: [FIXTURE, mode, track, ...(opts.extraArgs ?? [])] };
    },
    maxRestarts: opts.maxRestarts ?? 3,
    backoffMs: () => opts.backoffMs ?? 50,
    graceMs: opts.graceMs ?? 2000,
    dispatch: (ev) => {
      events.push(ev);
      state = reduce(state, ev);
    },
    onWorkerDied: (_t, pid) => {
      died.push(pid);
    },
    onPausedUnit: (track, unit, ms) => {
      paused.push([track, unit, ms]);
    },
  });
  cleanups.push(async () => {
    await sup.stopAll();
  });
  return {
    sup,
    events,
    died,
    paused,
    get state() {
      return state;
    },
    track,
  };
}

/** Stage events seen so far. */
const stages = (events: readonly RunEvent[]) =>
  events.filter((e) => e.type === 'worker_event' && e.event.type === 'stage').length;

describe('supervisor with fixture workers', () => {
  it('runs clean workers to completion', async () => {
    const h = harness({ mode: 'ok' });
    h.sup.start();
    await h.sup.done;
    expect(h.state.tracks.bollinger).toMatchObject({ done: 2, rows: 200, crashes: 0 });
    expect(trackStatus(h.state.tracks.bollinger)).toBe('complete');
  });

  it('turns garbage on stdout into log lines and keeps going', async () => {
    const h = harness({ mode: 'garbage', total: 1 });
    h.sup.start();
    await h.sup.done;
    const logs = h.events
      .filter((e) => e.type === 'worker_log')
      .map((e) => (e as { text: string }).text);
    expect(logs).toEqual([
      'hello from a library that prints',
      '{not json at all',
      '{"v":1,"type":"not-an-event"}',
      '\u001b[31mcolour codes\u001b[0m',
    ]);
    expect(h.state.tracks.bollinger.done).toBe(1);
    expect(h.state.tracks.bollinger.crashes).toBe(0);
  });

  it('joins a line written in two pieces, and keeps a last line cut by the exit', async () => {
    const h = harness({ mode: 'half-line', total: 1 });
    h.sup.start();
    await h.sup.done;
    expect(h.state.tracks.bollinger).toMatchObject({ done: 1, rows: 7 });
    const logs = h.events
      .filter((e) => e.type === 'worker_log')
      .map((e) => (e as { text: string }).text);
    expect(logs).toEqual(['trailing words without newline']);
  });

  it('restarts a crashed worker with backoff and releases its unit', async () => {
    const dir = await mkdtemp(path.join(os.tmpdir(), 'bqx-sup-'));
    cleanups.push(() => rm(dir, { recursive: true, force: true }));
    const h = harness({ mode: 'crash-once', extraArgs: [path.join(dir, 'state')] });
    h.sup.start();
    await h.sup.done;
    const t = h.state.tracks.bollinger;
    expect(t).toMatchObject({ crashes: 1, done: 2 });
    expect(trackStatus(t)).toBe('complete');
    expect(h.died).toHaveLength(1);
    expect(h.events.some((e) => e.type === 'track_control' && e.action === 'restart_backoff')).toBe(
      true,
    );
  });

  it('gives up after the restart limit and marks the track failed, visibly', async () => {
    const h = harness({ mode: 'crash', maxRestarts: 2 });
    h.sup.start();
    await h.sup.done;
    const t = h.state.tracks.bollinger;
    expect(t.crashes).toBe(3);
    expect(trackStatus(t)).toBe('failed');
    expect(h.state.recent.at(-1)).toMatchObject({ level: 'error' });
    expect(describeNote(h.state.recent.at(-1)!.note)).toMatch(/gave up/);
  });

  it('treats an exit 0 with a unit still open as a crash', async () => {
    const h = harness({ mode: (n) => (n === 0 ? 'early' : 'ok') });
    h.sup.start();
    await h.sup.done;
    const exits = h.events.filter((e) => e.type === 'child_exited');
    expect(exits[0]).toMatchObject({ code: 0, expected: false });
    expect(h.state.tracks.bollinger).toMatchObject({ crashes: 1, done: 2 });
  });

  it('stops a hung worker: SIGTERM, then SIGKILL after the grace period; nothing left', async () => {
    const h = harness({ mode: 'hang', graceMs: 300 });
    h.sup.start();
    // The hang begins once its unit has started.
    await expect.poll(() => h.state.tracks.bollinger.running.length, { timeout: 30_000 }).toBe(1);
    const pids = h.sup.pids().map((p) => p.pid);
    expect(pids).toHaveLength(1);
    const t0 = Date.now();
    await h.sup.stopAll();
    await h.sup.done;
    expect(Date.now() - t0).toBeGreaterThanOrEqual(250);
    expect(pids.every((p) => !processAlive(p))).toBe(true);
    const exit = h.events.find((e) => e.type === 'child_exited');
    expect(exit).toMatchObject({ signal: 'SIGKILL', expected: true });
    // Stopped with its work left: STOPPED, not complete.
    expect(trackStatus(h.state.tracks.bollinger)).toBe('stopped');
  });

  it('stops a paused worker at once on a stop now, with two signals of different kinds', async () => {
    // A long grace period: a worker that saw one signal only would still be finishing.
    const h = harness({ mode: 'two-signals', graceMs: 30_000 });
    h.sup.start();
    await expect.poll(() => stages(h.events), { timeout: 30_000 }).toBe(1);
    const [pid] = h.sup.pids().map((p) => p.pid);
    expect(h.sup.pause('bollinger').text).toBe('paused');
    await expect.poll(() => procState(pid!), { timeout: 10_000 }).toBe('T');
    await h.sup.stopAll('now');
    // Its locks are released by the run too, should it not have given them back itself.
    expect(h.died).toEqual([pid]);
    const exit = h.events.find((e) => e.type === 'child_exited');
    expect(exit).toMatchObject({ pid, signal: null, expected: true });
    expect([130, 143]).toContain((exit as { code: number }).code);
    const last = h.events.findLast((e) => e.type === 'worker_event');
    expect(last).toMatchObject({ event: { type: 'worker_exit' } });
    // Two SIGTERMs pending at once (a paused or busy worker) would be one, and the worker
    // would finish its unit: the second signal is another kind.
    expect((last as { event: { reason: string } }).event.reason).toBe(
      'stopped at once after SIGINT, SIGTERM',
    );
  });

  it('pauses a track with SIGSTOP and resumes it with SIGCONT; paused time is not unit time', async () => {
    const h = harness({ mode: 'slow', total: 1 });
    h.sup.start();
    await expect.poll(() => stages(h.events), { timeout: 30_000 }).toBeGreaterThan(2);
    const [pid] = h.sup.pids().map((p) => p.pid);
    expect(h.sup.pause('bollinger').text).toBe('paused');
    await expect.poll(() => procState(pid!), { timeout: 10_000 }).toBe('T');
    expect(trackStatus(h.state.tracks.bollinger)).toBe('paused');
    const before = h.events.length;
    // The pause is the scenario: a stopped process says nothing while it lasts.
    await new Promise((r) => setTimeout(r, 1500));
    expect(h.events.length).toBe(before);
    expect(h.sup.resume('bollinger').text).toBe('resumed');
    await expect.poll(() => procState(pid!), { timeout: 10_000 }).not.toBe('T');
    await h.sup.done;
    expect(h.state.tracks.bollinger.done).toBe(1);
    const at = (type: string) =>
      h.events.find((e) => e.type === 'worker_event' && e.event.type === type)!.at;
    const done = h.events.find(
      (e) => e.type === 'worker_event' && e.event.type === 'unit_done',
    ) as Extract<RunEvent, { type: 'worker_event' }>;
    const wall = at('unit_done') - at('unit_start');
    expect(done.event.type === 'unit_done' && done.event.ms).toBeLessThan(wall - 1400);
    expect(h.paused).toEqual([['bollinger', 'eurusd/2024-01', (done.event as { ms: number }).ms]]);
  });

  it('pauses nothing that is complete, and a worker restarted during a pause stays paused', async () => {
    const done = harness({ mode: 'ok' });
    done.sup.start();
    await done.sup.done;
    expect(done.sup.pause('bollinger').text).toBe('refused: it is complete');
    expect(trackStatus(done.state.tracks.bollinger)).toBe('complete');
    const dir = await mkdtemp(path.join(os.tmpdir(), 'bqx-sup-'));
    cleanups.push(() => rm(dir, { recursive: true, force: true }));
    const h = harness({
      mode: 'crash-once',
      backoffMs: 1000,
      extraArgs: [path.join(dir, 'state')],
    });
    h.sup.start();
    // Paused between the crash and the respawn: the fresh worker is paused as it starts.
    await expect.poll(() => h.state.tracks.bollinger.crashes, { timeout: 30_000 }).toBe(1);
    expect(h.sup.pause('bollinger').text).toBe('paused');
    await expect
      .poll(() => h.events.filter((e) => e.type === 'child_started').length, { timeout: 30_000 })
      .toBe(2);
    const [pid] = h.sup.pids().map((p) => p.pid);
    await expect.poll(() => procState(pid!), { timeout: 10_000 }).toBe('T');
    expect(trackStatus(h.state.tracks.bollinger)).toBe('paused');
    h.sup.resume('bollinger');
    await h.sup.done;
    expect(trackStatus(h.state.tracks.bollinger)).toBe('complete');
  });

  it('shares a budget of workers: the largest units first, then the freed slot to the next', async () => {
    const events: RunEvent[] = [];
    let state: RunState = initialState(Date.now());
    const sup = new Supervisor({
      tracks: [
        { track: 'bollinger', workers: 2 },
        { track: 'regression', workers: 2 },
      ],
      budget: 1,
      demand: (t) => (t === 'regression' ? { work: 100, units: 2 } : { work: 10, units: 2 }),
      command: (t) => ({ file: process.execPath, args: [FIXTURE, 'ok', t] }),
      maxRestarts: 0,
      dispatch: (ev) => {
        events.push(ev);
        state = reduce(state, ev);
      },
    });
    cleanups.push(() => sup.stopAll());
    sup.start();
    expect(trackStatus(state.tracks.bollinger)).toBe('waiting');
    await sup.done;
    const started = events.filter((e) => e.type === 'child_started').map((e) => e.track);
    expect(started).toEqual(['regression', 'bollinger']);
    // One at a time: bollinger's worker started after regression's had exited.
    const order = events
      .filter((e) => e.type === 'child_started' || e.type === 'child_exited')
      .map((e) => `${e.type === 'child_started' ? '+' : '-'}${e.track}`);
    expect(order).toEqual(['+regression', '-regression', '+bollinger', '-bollinger']);
    expect(trackStatus(state.tracks.bollinger)).toBe('complete');
    expect(trackStatus(state.tracks.regression)).toBe('complete');
  });

  it('restarts a track on request: graceful stop, fresh workers, not counted as crashes', async () => {
    const h = harness({ mode: (n) => (n === 0 ? 'slow' : 'ok') });
    h.sup.start();
    await expect.poll(() => stages(h.events), { timeout: 30_000 }).toBeGreaterThan(0);
    const [first] = h.sup.pids();
    await h.sup.restart('bollinger');
    expect(processAlive(first!.pid)).toBe(false);
    await h.sup.done;
    expect(h.state.tracks.bollinger.crashes).toBe(0);
    expect(h.events.filter((e) => e.type === 'child_started')).toHaveLength(2);
  });

  it('adds a worker at once and removes one after its unit; a restart keeps the count', async () => {
    const h = harness({ mode: (n) => `until-term:${n}`, budget: 3 });
    const live = () => h.state.tracks.bollinger.workers.length;
    h.sup.start();
    await expect.poll(live, { timeout: 20_000 }).toBe(1);
    expect(h.sup.addWorker('bollinger').text).toBe('2 worker(s) now');
    // The new limit is in the state at once (an event); the worker follows.
    expect(h.state.tracks.bollinger.plannedWorkers).toBe(2);
    await expect.poll(live, { timeout: 20_000 }).toBe(2);
    expect(h.sup.addWorker('bollinger').text).toBe('3 worker(s) now');
    await expect.poll(live, { timeout: 20_000 }).toBe(3);
    // Every worker at a unit: the one removed has one to finish.
    await expect.poll(() => h.state.tracks.bollinger.running.length, { timeout: 20_000 }).toBe(3);
    const reply = h.sup.removeWorker('bollinger').text;
    expect(reply).toMatch(/^2 worker\(s\) now: worker \d+ stops /);
    const pid = Number(reply.match(/worker (\d+) stops/)![1]);
    expect(h.state.tracks.bollinger.plannedWorkers).toBe(2);
    await expect.poll(live, { timeout: 20_000 }).toBe(2);
    // It left as asked, after finishing the unit it had.
    const exit = h.events.find((e) => e.type === 'child_exited' && e.pid === pid);
    expect(exit).toMatchObject({ expected: true, code: 0 });
    const its = h.events.filter((e) => e.type === 'worker_event' && e.pid === pid);
    expect(its.at(-1)).toMatchObject({ event: { type: 'unit_done' } });
    expect(h.state.tracks.bollinger.crashes).toBe(0);
    // A restart brings back as many workers as the limit says, not the planned one.
    const before = new Set(h.state.tracks.bollinger.workers);
    expect((await h.sup.restart('bollinger')).text).toBe('restarted');
    await expect
      .poll(() => h.state.tracks.bollinger.workers.filter((p) => !before.has(p)).length, {
        timeout: 20_000,
      })
      .toBe(2);
    expect(h.sup.removeWorker('bollinger').text).toMatch(/^1 worker\(s\) now/);
    expect(h.sup.removeWorker('bollinger').text).toMatch(/^refused: 1 worker\(s\), its least/);
    await expect.poll(live, { timeout: 20_000 }).toBe(1);
  });

  it("holds a chatty worker's output to a few lines a second, counting what it leaves out", async () => {
    const h = harness({ mode: 'chatty', total: 1 });
    h.sup.start();
    await h.sup.done;
    const logs = h.events.flatMap((e) => (e.type === 'worker_log' ? [e.text] : []));
    const notice = logs.filter((t) => t.includes('more line(s) of output left out'));
    expect(notice.length).toBeGreaterThan(0);
    const passed = logs.filter((t) => t.startsWith('chatter ')).length;
    const left = notice.reduce((n, t) => n + Number(t.match(/\((\d+) more/)![1]), 0);
    expect(passed + left).toBe(200);
    expect(passed).toBeLessThan(200);
    const worker = h.events.flatMap((e) => (e.type === 'worker_event' ? [e.event] : []));
    const stageCount = worker.filter((e) => e.type === 'stage').length;
    expect(stageCount).toBeGreaterThan(0);
    expect(stageCount).toBeLessThan(100);
    // No stage of the unit comes after its end.
    expect(worker.at(-1)?.type).not.toBe('stage');
    expect(h.state.tracks.bollinger.done).toBe(1);
  });
});

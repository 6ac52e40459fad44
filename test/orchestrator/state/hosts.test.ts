import { describe, expect, it } from 'vitest';
import type { RunEvent } from '../../../src/orchestrator/state/events.js';
import {
  hostSummaries,
  initialState,
  type RunState,
  reduce,
} from '../../../src/orchestrator/state/runState.js';
import { attachLineOutput } from '../../../src/orchestrator/headless/lineOutput.js';
import { snapshot } from '../../../src/orchestrator/state/snapshot.js';
import {
  describeHost,
  describeNote,
  describeRunning,
} from '../../../src/orchestrator/text/describe.js';
import type { EventBody } from '../../../src/tracks/protocol/emit.js';
import type { TrackName } from '../../../src/tracks/protocol/events.js';
import { workerEvent } from '../../support/runEvents.js';

const HOME = 'vm-1';
const OTHER = 'other-host';

const started: RunEvent = { type: 'run_started', at: 0, runId: 'r1', host: HOME, pid: 1 };
const planned: RunEvent = {
  type: 'run_planned',
  at: 0,
  runId: 'r1',
  maxAttempts: 2,
  stallMs: 60_000,
  tracks: [
    { track: 'bollinger', total: 10, done: 0, empty: 0, rows: 0, workers: 2 },
    { track: 'regression', total: 10, done: 0, empty: 0, rows: 0, workers: 1 },
    { track: 'extraction', total: 2, done: 0, empty: 0, rows: 0, workers: 1 },
  ],
};
const child = (track: TrackName, pid: number): RunEvent => ({
  type: 'child_started',
  at: 0,
  track,
  pid,
});
const local = (at: number, track: TrackName, pid: number, body: EventBody) =>
  workerEvent(at, track, pid, body, { host: HOME });
const remote = (at: number, track: TrackName, pid: number, body: EventBody) =>
  workerEvent(at, track, pid, body, { host: OTHER, remote: true });
const listed = (at: number, workers: Array<{ pid: number; track: TrackName }>): RunEvent => ({
  type: 'remote_workers',
  at,
  workers: workers.map((w) => ({ host: OTHER, ...w })),
});
/** A unit from start to done on a worker, `ms` apart. */
const unit = (
  on: typeof local,
  at: number,
  track: TrackName,
  pid: number,
  name: string,
  ms = 1000,
) => [
  on(at, track, pid, { type: 'unit_start', unit: name, attempt: 1 }),
  on(at + ms, track, pid, { type: 'unit_done', unit: name, rows: 100, bytes: 10, ms }),
];

const run = (events: RunEvent[]): RunState => events.reduce(reduce, initialState(0));

const base: RunEvent[] = [
  started,
  planned,
  child('bollinger', 11),
  child('bollinger', 12),
  child('regression', 13),
  child('extraction', 14),
];

describe('the hosts of a run (reducer and summary)', () => {
  it('lists the supervisor host with its children per track, then another host with its workers and units', () => {
    const s = run([
      ...base,
      listed(500, [{ pid: 13, track: 'regression' }]),
      ...unit(local, 1000, 'bollinger', 11, 'eurusd/2024-01'),
      ...unit(local, 3000, 'bollinger', 12, 'eurusd/2024-02'),
      ...unit(remote, 1000, 'regression', 13, 'eurusd/2024-03', 4000),
      local(6000, 'regression', 13, { type: 'unit_empty', unit: 'eurusd/2024-04', reason: 'x' }),
      { type: 'tick', at: 10_000 },
    ]);
    const hosts = hostSummaries(s);
    expect(hosts.map((h) => h.host)).toEqual([HOME, OTHER]);
    const [home, other] = hosts;
    expect(home).toMatchObject({
      supervisor: true,
      workers: { bollinger: 2, regression: 1, extraction: 1 },
      done: 2,
      noData: 1,
      failed: 0,
      running: 0,
    });
    // The remote worker has pid 13 too: it is the other host's, not the supervisor's child.
    expect(other).toMatchObject({
      supervisor: false,
      workers: { bollinger: 0, regression: 1, extraction: 0 },
      done: 1,
      noData: 0,
    });
    // Three units finished on the home host since its first start at 1 s, over 9 s.
    expect(home!.unitsPerSec).toBeCloseTo(3 / 9, 5);
    expect(other!.unitsPerSec).toBeCloseTo(1 / 9, 5);
    expect(describeHost(home!)).toBe('vm-1 (T1 2, T2 1, T3 1) 3 done 0.3/s');
    expect(describeHost(other!)).toBe('other-host (T2 1) 1 done 0.1/s');
    // Track counts include the other host's unit.
    expect(s.tracks.regression.done).toBe(1);
    // --json (and the heartbeat `status` reads) carry the same.
    expect(snapshot(s).hosts.map((h) => [h.host, h.done, h.workers.regression])).toEqual([
      [HOME, 2, 1],
      [OTHER, 1, 1],
    ]);
  });

  it("leaves the time every track was paused out of a host's rate, as the track's rate does", () => {
    const state = (track: TrackName, at: number, status: 'running' | 'paused'): RunEvent => ({
      type: 'track_state',
      at,
      track,
      status,
      reason: status,
    });
    const running = (['bollinger', 'regression', 'extraction'] as const).map((t) =>
      state(t, 0, 'running'),
    );
    const units = [
      ...unit(local, 1000, 'bollinger', 11, 'eurusd/2024-01'),
      ...unit(local, 1000, 'regression', 13, 'eurusd/2024-02'),
      ...unit(local, 2000, 'extraction', 14, 'eurusd'),
    ];
    // Every track paused from 4 s to 8 s; Track 1 alone from 8 s to 9 s (Tracks 2–3 worked).
    const pauses: RunEvent[] = [
      ...(['bollinger', 'regression', 'extraction'] as const).map((t) => state(t, 4000, 'paused')),
      state('regression', 8000, 'running'),
      state('extraction', 8000, 'running'),
      state('bollinger', 9000, 'running'),
    ];
    const s = run([...base, ...running, ...units, ...pauses, { type: 'tick', at: 10_000 }]);
    const [home] = hostSummaries(s);
    // Three units since the first start at 1 s: 9 s, less the 4 s all were paused.
    expect(home!.unitsPerSec).toBeCloseTo(3 / 5, 5);
    // While every track is still paused, the rate holds where it was.
    const paused = run([...base, ...running, ...units, ...pauses.slice(0, 3)]);
    const at = (now: number) => hostSummaries(reduce(paused, { type: 'tick', at: now }))[0]!;
    expect(at(6000).unitsPerSec).toBeCloseTo(at(7500).unitsPerSec!, 5);
  });

  it('counts a unit reported twice once, and a failed unit as failed of its host', () => {
    const s = run([
      ...base,
      ...unit(remote, 1000, 'regression', 21, 'eurusd/2024-03'),
      remote(3000, 'regression', 21, {
        type: 'unit_done',
        unit: 'eurusd/2024-03',
        rows: 100,
        bytes: 10,
        ms: 1000,
      }),
      remote(4000, 'regression', 21, { type: 'unit_start', unit: 'eurusd/2024-05', attempt: 2 }),
      remote(5000, 'regression', 21, {
        type: 'unit_failed',
        unit: 'eurusd/2024-05',
        code: 'XX000',
        message: 'boom',
        attempt: 2,
      }),
    ]);
    const other = hostSummaries(s).find((h) => h.host === OTHER);
    expect(other).toMatchObject({ done: 1, failed: 1, workers: { regression: 0 } });
    expect(describeHost(other!)).toMatch(/^other-host \(no workers\) 1 done, 1 failed /);
  });

  it('notes a remote worker joining and leaving; one that left takes its running units with it', () => {
    const joined = run([
      ...base,
      listed(500, [{ pid: 13, track: 'regression' }]),
      remote(1000, 'regression', 13, { type: 'unit_start', unit: 'eurusd/2024-03', attempt: 1 }),
      local(1000, 'regression', 13, { type: 'unit_start', unit: 'eurusd/2024-04', attempt: 1 }),
    ]);
    expect(joined.tracks.regression.running.map((r) => [r.unit, r.host, r.remote])).toEqual([
      ['eurusd/2024-03', OTHER, true],
      ['eurusd/2024-04', HOME, false],
    ]);
    expect(joined.recent.map((r) => describeNote(r.note))).toContain(
      'worker other-host:13 joined the run',
    );
    // The supervisor's own child 13 dies: its unit is retried; the other host's stays.
    const crashed = reduce(joined, {
      type: 'child_exited',
      at: 2000,
      track: 'regression',
      pid: 13,
      code: null,
      signal: 'SIGKILL',
      expected: false,
    });
    expect(crashed.tracks.regression.running.map((r) => r.unit)).toEqual(['eurusd/2024-03']);
    // The other host's worker went silent past the registry's timeout: no ghost unit is left.
    const gone = reduce(crashed, listed(40_000, []));
    expect(gone.tracks.regression.running).toEqual([]);
    expect(gone.remoteWorkers).toEqual([]);
    expect(describeNote(gone.recent.at(-1)!.note)).toBe('worker other-host:13 left the run');
    // What it finished stays with its host.
    expect(hostSummaries(gone).map((h) => h.host)).toEqual([HOME, OTHER]);
  });

  it('names the host of a running unit when asked to (the run has more than one host)', () => {
    const s = run([
      ...base,
      remote(1000, 'regression', 13, { type: 'unit_start', unit: 'eurusd/2024-03', attempt: 1 }),
    ]);
    const r = s.tracks.regression.running[0]!;
    expect(describeRunning(r, 12_000)).toBe('EURUSD 2024-03: starting, 12 s');
    expect(describeRunning(r, 12_000, true)).toBe('EURUSD 2024-03 @other-host: starting, 12 s');
  });
});

describe('the hosts in plain lines', () => {
  it("names the hosts in the progress line once the run has more than one, and the other host's joining", async () => {
    const s = run([
      ...base,
      listed(500, [{ pid: 13, track: 'regression' }]),
      ...unit(remote, 1000, 'regression', 13, 'eurusd/2024-03'),
    ]);
    const lines: string[] = [];
    const view = {
      runId: 'r1',
      getState: () => s,
      subscribe: () => () => {},
      done: new Promise<never>(() => {}),
    };
    const out = attachLineOutput(view, { progressMs: 60_000, write: (l) => lines.push(l) });
    out.finish({ state: s, status: 'complete', exitCode: 0, message: undefined });
    expect(lines.join('')).toContain('regression: worker other-host:13 joined the run');
    const progress = lines.find((l) => l.includes(' progress '));
    expect(progress).toContain(`; hosts: ${hostSummaries(s).map(describeHost).join(' · ')}`);
    expect(progress).toMatch(
      /hosts: vm-1 \(T1 2, T2 1, T3 1\) 0 done · other-host \(T2 1\) 1 done/,
    );
  });
});

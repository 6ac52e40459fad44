import { createWriteStream, mkdirSync, type WriteStream } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { Context } from '../../cli/context.js';
import type { TrackName } from '../../tracks/protocol/events.js';
import { enumerateUnits, TRACKS } from '../plan/planUnits.js';
import { prepareQueue } from './prepareQueue.js';
import { newRunId, recordRunEnd, recordRunStart } from '../plan/runRecord.js';
import {
  DEAD_AFTER_MS,
  HEARTBEAT_MS,
  heartbeat,
  releaseDeadWorkers,
} from '../queue/workerRegistry.js';
import { sampleDatabase } from '../sample/databaseSampler.js';
import { sampleSystem } from '../sample/systemSampler.js';
import type { RunEvent } from '../state/events.js';
import { initialState, type RunState, reduce, trackStatus } from '../state/runState.js';
import { Supervisor, type WorkerCommand } from '../supervisor/supervisor.js';
import { defaultWorkers } from '../supervisor/workerCommand.js';

export interface RunOptions {
  /** Tracks whose finished units are done again. */
  readonly recompute: ReadonlySet<TrackName>;
  /** How to start a track's worker (the real CLI, or a test fixture). */
  readonly command: (track: TrackName) => WorkerCommand;
  /** Grace period after SIGTERM before SIGKILL. */
  readonly graceMs?: number;
  readonly backoffMs?: (n: number) => number;
  /** How often the machine and database are sampled. */
  readonly sampleMs?: number;
}

/** How a run ended. */
export interface RunResult {
  readonly state: RunState;
  readonly status: 'complete' | 'failed' | 'interrupted';
  readonly logFile: string;
}

/** A run in progress: its state, the controls the dashboard's keys call, and its end. */
export interface RunSession {
  readonly runId: string;
  readonly logFile: string;
  getState(): RunState;
  /** Calls `fn` after every state change; returns an unsubscribe function. */
  subscribe(fn: (state: RunState, ev: RunEvent) => void): () => void;
  pause(track: TrackName): void;
  resume(track: TrackName): void;
  togglePause(track: TrackName): void;
  togglePauseAll(): void;
  restart(track: TrackName): Promise<void>;
  /** Graceful stop: workers finish their unit, nothing is left running. */
  stop(): Promise<void>;
  readonly done: Promise<RunResult>;
}

/**
 * Plans and starts a run: installs the queue, releases units held by dead workers (a
 * killed earlier run), enqueues every unit not yet done, and starts the supervisor.
 */
export async function startRun(ctx: Context, o: RunOptions): Promise<RunSession> {
  const host = os.hostname();
  const plans = await prepareQueue(ctx, o.recompute);
  const runId = newRunId();
  const units = Object.fromEntries(
    TRACKS.map((t) => [t, enumerateUnits(ctx.scope, t).map((u) => u.unit)]),
  ) as Record<TrackName, string[]>;
  await ctx.db.withPgClient((c) => recordRunStart(c, runId, units));

  const logDir = path.join(ctx.dataDir, 'runs');
  mkdirSync(logDir, { recursive: true });
  const logFile = path.join(logDir, `${runId}.ndjson`);
  const log: WriteStream = createWriteStream(logFile, { flags: 'a', mode: 0o600 });

  const defaults = defaultWorkers();
  const workers = Object.fromEntries(
    plans.map((p) => [
      p.track,
      p.todo.length === 0 ? 0 : (ctx.settings.run.workers[p.track] ?? defaults[p.track]),
    ]),
  ) as Record<TrackName, number>;

  let state = initialState(Date.now());
  const listeners = new Set<(s: RunState, ev: RunEvent) => void>();
  const dispatch = (ev: RunEvent) => {
    state = reduce(state, ev);
    if (ev.type !== 'tick')
      log.write(`${JSON.stringify({ runId, ...ev, at: new Date(ev.at).toISOString() })}\n`);
    for (const fn of listeners) fn(state, ev);
  };
  dispatch({
    type: 'run_planned',
    at: Date.now(),
    runId,
    maxAttempts: ctx.settings.run.maxAttempts,
    stallMs: ctx.settings.run.stallSeconds * 1000,
    tracks: plans.map((p) => ({
      track: p.track,
      total: p.total,
      done: p.done,
      empty: p.empty,
      rows: p.rows,
      workers: workers[p.track],
    })),
  });

  const supervisor = new Supervisor({
    tracks: TRACKS.map((track) => ({ track, workers: workers[track] })),
    command: o.command,
    maxRestarts: ctx.settings.run.maxRestarts,
    ...(o.backoffMs ? { backoffMs: o.backoffMs } : {}),
    graceMs: o.graceMs ?? 30_000,
    dispatch,
    // The supervisor saw its own child die: its unit goes back to the queue at once.
    onWorkerDied: async (_track, pid) => {
      await ctx.db.withPgClient((c) =>
        releaseDeadWorkers(c, { host, deadPids: [pid], timeoutMs: DEAD_AFTER_MS }),
      );
    },
  });

  const timers: NodeJS.Timeout[] = [];
  const every = (ms: number, fn: () => Promise<void> | void) => {
    let busy = false;
    const t = setInterval(() => {
      if (busy) return;
      busy = true;
      Promise.resolve()
        .then(fn)
        .catch(() => {})
        .finally(() => {
          busy = false;
        });
    }, ms);
    timers.push(t);
  };
  every(1000, () => dispatch({ type: 'tick', at: Date.now() }));
  const sampleMs = o.sampleMs ?? 2000;
  const dirs = [
    { label: 'data', dir: ctx.dataDir },
    { label: 'output', dir: ctx.outDir },
  ];
  const sampleSys = async () => {
    const sample = await sampleSystem({ dirs, workers: supervisor.pids() });
    dispatch({ type: 'system_sample', at: Date.now(), sample });
  };
  const sampleDb = async () => {
    const sample = await ctx.db.withPgClient((c) => sampleDatabase(c));
    dispatch({ type: 'database_sample', at: Date.now(), sample });
  };
  every(sampleMs, sampleSys);
  every(Math.max(sampleMs, 5000), sampleDb);
  // Paused workers cannot beat: the supervisor vouches for them. Dead ones are released.
  every(HEARTBEAT_MS, () =>
    ctx.db.withPgClient(async (c) => {
      await heartbeat(c, host, supervisor.pausedPids());
      await releaseDeadWorkers(c, { host, timeoutMs: DEAD_AFTER_MS });
    }),
  );
  void sampleSys().catch(() => {});
  void sampleDb().catch(() => {});

  let interrupted = false;
  supervisor.start();

  const done = (async (): Promise<RunResult> => {
    await supervisor.done;
    for (const t of timers) clearInterval(t);
    dispatch({ type: 'run_finished', at: Date.now(), interrupted });
    const tracks = Object.values(state.tracks);
    const failed = tracks.some((t) => t.failed > 0 || t.gaveUp || trackStatus(t) !== 'complete');
    const status = interrupted ? 'interrupted' : failed ? 'failed' : 'complete';
    await ctx.db.withPgClient((c) => recordRunEnd(c, runId, status)).catch(() => {});
    await new Promise<void>((r) => log.end(r));
    return { state, status, logFile };
  })();

  return {
    runId,
    logFile,
    getState: () => state,
    subscribe(fn) {
      listeners.add(fn);
      return () => listeners.delete(fn);
    },
    pause: (t) => supervisor.pause(t),
    resume: (t) => supervisor.resume(t),
    togglePause: (t) => (supervisor.isPaused(t) ? supervisor.resume(t) : supervisor.pause(t)),
    togglePauseAll: () => supervisor.togglePauseAll(),
    restart: (t) => supervisor.restart(t),
    async stop() {
      interrupted = true;
      for (const track of TRACKS) {
        if (state.tracks[track].workers.length > 0)
          dispatch({
            type: 'track_control',
            at: Date.now(),
            track,
            action: 'stop',
            message: 'stopping (workers finish their unit first)',
          });
      }
      await supervisor.stopAll();
    },
    done,
  };
}

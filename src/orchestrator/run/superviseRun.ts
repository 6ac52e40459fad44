import { createWriteStream, mkdirSync, type WriteStream } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { Context } from '../../db/context.js';
import { readDataset, resolveScope, type Scope } from '../../db/dataset.js';
import { isConnectionLoss } from '../../db/connection/connectionLoss.js';
import { analyzeWritten } from '../../db/ddl/analyzeWritten.js';
import { correctUnitMs, unitsDoneInRun } from '../../db/ledger/results.js';
import { readCatalog } from '../../db/preflight/catalog.js';
import { runDoctor } from '../../db/preflight/doctor.js';
import { seedDataset } from '../../tracks/seed/load.js';
import { threadsForPlan } from '../../tracks/seed/parallelSeed.js';
import { PRESETS } from '../../tracks/seed/presets.js';
import { SOURCE_TABLE_KEYS } from '../../tracks/seed/sourceDdl.js';
import type { TrackName } from '../../tracks/protocol/events.js';
import { type ControlCommand, ackCommand, pendingCommands } from '../live/controlChannel.js';
import { EventPublisher } from '../live/eventLog.js';
import { beatRun, endRun, pruneRunEvents, readRun, setRunUnits } from '../live/runRecord.js';
import { enumerateUnits, TRACKS } from '../plan/planUnits.js';
import { enqueueUnits } from '../queue/jobQueue.js';
import { HEARTBEAT_MS, heartbeat } from '../queue/workerRegistry.js';
import { readRunOutcomes, reportRunOf } from '../report/reportFacts.js';
import { summarizeRun } from '../report/runReport.js';
import { sampleDatabase } from '../sample/databaseSampler.js';
import { sampleSystem } from '../sample/systemSampler.js';
import type { RunEvent, RunOutcome, RunPhase } from '../state/events.js';
import { initialState, remainingUnits, type RunState, reduce } from '../state/runState.js';
import { snapshot } from '../state/snapshot.js';
import { findStalls } from '../state/stalls.js';
import { type StopMode, Supervisor, type WorkerCommand } from '../supervisor/supervisor.js';
import { PRIOR_UNIT_MS } from '../state/estimate.js';
import { defaultBudget } from '../supervisor/workerCommand.js';
import { remainingWork } from '../state/estimate.js';
import { readHistory } from './history.js';
import { DeadWorkers } from './deadWorkers.js';
import { Every } from './every.js';
import { prepareQueue } from './prepareQueue.js';
import { REMOTE_POLL_MS, RemoteWorkers } from './remoteWorkers.js';
import { SupervisorLink } from './supervisorLink.js';

export interface SuperviseOptions {
  /** The id the run gets if this process becomes the database's live run. */
  readonly runId: string;
  /** Tracks whose finished units are done again. */
  readonly recompute: ReadonlySet<TrackName>;
  /** How to start a track's worker (the real CLI, or a test fixture). */
  readonly command: (track: TrackName) => WorkerCommand;
  /** The run's plain-text log, when it runs in the background (recorded for views). */
  readonly logFile?: string;
  /** Grace period after SIGTERM before SIGKILL. */
  readonly graceMs?: number;
  readonly backoffMs?: (n: number) => number;
  /** How often the machine and database are sampled. */
  readonly sampleMs?: number;
}

/** How a run ended. */
export interface RunResult {
  readonly state: RunState;
  readonly status: RunOutcome;
  readonly exitCode: number;
  readonly message: string | undefined;
  /** The run's NDJSON event log. */
  readonly logFile: string;
}

/** A run this process supervises: its state, its stop, and its end. */
export interface RunSession {
  readonly runId: string;
  /** The NDJSON event log ({data-dir}/runs/{run-id}.ndjson). */
  readonly logFile: string;
  getState(): RunState;
  /** Calls `fn` after every state change; returns an unsubscribe function. */
  subscribe(fn: (state: RunState, ev: RunEvent) => void): () => void;
  /** Stops the run: `graceful`, workers finish their unit; `now`, at once. */
  stop(mode?: StopMode, exitCode?: number): Promise<void>;
  readonly done: Promise<RunResult>;
}

/** The outcome of trying to supervise: this process runs it, or another one already does. */
export type Supervised =
  | { readonly kind: 'supervising'; readonly session: RunSession }
  | { readonly kind: 'taken' };

/** Exit codes of a run (README "Exit codes"). */
const EXIT_OK = 0;
const EXIT_FAILED = 1;
const EXIT_PREFLIGHT = 2;
export const EXIT_STOPPED = 130;

/** Published events of this many recent runs are kept (older runs keep their rows). */
const KEEP_EVENTS_OF_RUNS = 20;

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms).unref());

/**
 * Becomes the database's live run, or finds that another process already supervises it
 * (then nothing is started). As the live run: records it, seeds an empty embedded
 * database with the demo, runs the preflight, plans and enqueues the units, supervises the
 * tracks' workers, publishes every event to the database for the views, takes commands
 * from the control channel, heartbeats, and waits out database outages (up to
 * `run.databaseTimeoutSeconds`).
 */
export async function superviseRun(ctx: Context, o: SuperviseOptions): Promise<Supervised> {
  const host = os.hostname();
  const runId = o.runId;
  let phase: RunPhase = 'starting';
  let state = initialState(Date.now());
  const listeners = new Set<(s: RunState, ev: RunEvent) => void>();
  const publisher = new EventPublisher(runId, ctx.db.withPgClient);

  const logDir = path.join(ctx.dataDir, 'runs');
  const logFile = path.join(logDir, `${runId}.ndjson`);
  let log: WriteStream | undefined;

  /** Every worker this process started (a registry row of one is never another host's). */
  const ownPids = new Set<number>();
  const dispatch = (ev: RunEvent) => {
    if (ev.type === 'child_started') ownPids.add(ev.pid);
    state = reduce(state, ev);
    // The phase the run record shows: the reducer's (planning ends when the plan comes).
    if (ev.type === 'run_phase' || ev.type === 'run_planned') phase = state.phase;
    if (ev.type !== 'tick') {
      // Samples reach views through the heartbeat's snapshot, not the event log (one
      // every 2 s would be most of a long run's log, replayed by every view that attaches).
      if (ev.type !== 'system_sample' && ev.type !== 'database_sample') publisher.push(ev);
      log?.write(`${JSON.stringify({ runId, ...ev, at: new Date(ev.at).toISOString() })}\n`);
    }
    for (const fn of listeners) fn(state, ev);
  };

  let resolveFinished!: (r: { status: RunOutcome; exitCode: number; message?: string }) => void;
  const finished = new Promise<{ status: RunOutcome; exitCode: number; message?: string }>((r) => {
    resolveFinished = r;
  });
  let supervisor: Supervisor | undefined;
  let stopRequested: { mode: StopMode; exitCode: number } | undefined;
  // Read through a function: the stop can come while the run awaits (TypeScript narrows lets).
  const requestedStop = () => stopRequested;
  /** False once another supervisor owns the run's row (it took the database over). */
  let ownsRow = true;
  /** True once the database was unreachable for longer than the limit. */
  let gaveUp = false;
  // Workers that users started (any host) reach the run through the worker feed.
  const remote = new RemoteWorkers(ctx.db.withPgClient, host, ownPids, dispatch);
  /** True while this run takes the worker feed (from its preparation to its end). */
  let feeding = false;
  const takeFeed = () => {
    if (feeding && link.lostSince === undefined) void remote.readFeed().catch(onDbError);
  };

  const link = new SupervisorLink(
    ctx.db.pool,
    {
      onChange: (s, since, error) =>
        dispatch({
          type: 'connection',
          at: Date.now(),
          side: 'supervisor',
          state: s,
          since,
          ...(error ? { error } : {}),
        }),
      onCommand: () => void takeCommands(),
      onFeed: () => takeFeed(),
      onGiveUp: (message) => {
        gaveUp = true;
        void supervisor?.stopAll('now');
        resolveFinished({ status: 'failed', exitCode: EXIT_FAILED, message });
      },
      onTakenOver: (message) => {
        ownsRow = false;
        void supervisor?.stopAll('now');
        resolveFinished({ status: 'failed', exitCode: EXIT_FAILED, message });
      },
    },
    ctx.settings.run.databaseTimeoutSeconds * 1000,
  );

  const claim = await link.claim({
    runId,
    host,
    pid: process.pid,
    ...(o.logFile ? { logFile: o.logFile } : {}),
  });
  if (claim.kind !== 'won') return { kind: 'taken' };

  mkdirSync(logDir, { recursive: true });
  log = createWriteStream(logFile, { flags: 'a', mode: 0o600 });
  dispatch({
    type: 'run_started',
    at: Date.now(),
    runId,
    host,
    pid: process.pid,
    ...(o.logFile ? { logFile: o.logFile } : {}),
    ...(claim.resumedFrom ? { resumedFrom: claim.resumedFrom } : {}),
  });

  /** Runs `fn`, waiting out database outages (the link reconnects) until it succeeds. */
  const reachable = async <T>(fn: () => Promise<T>): Promise<T> => {
    for (;;) {
      try {
        return await fn();
      } catch (err) {
        if (!isConnectionLoss(err) || gaveUp || !ownsRow) throw err;
        link.noteFailure(err);
        while (link.lostSince !== undefined && !gaveUp && ownsRow) await sleep(250);
      }
    }
  };

  const every = new Every();
  const deadWorkers = new DeadWorkers(host, ctx.db.withPgClient);
  const onDbError = (err: unknown) => link.noteFailure(err);

  // Publishing and heartbeats run from the start, so views see the preparation too.
  every.add(250, () => (link.lostSince === undefined ? publisher.flush() : undefined), onDbError);
  every.add(
    2000,
    async () => {
      const mine = await link.withControl((c) => beatRun(c, runId, phase, snapshot(state)));
      if (!mine) {
        ownsRow = false;
        void supervisor?.stopAll('now');
        resolveFinished({
          status: 'failed',
          exitCode: EXIT_FAILED,
          message: 'the run was declared lost by another process; stopped',
        });
      }
    },
    onDbError,
  );
  every.add(1000, () => dispatch({ type: 'tick', at: Date.now() }));
  every.add(1000, () => takeCommands());

  let taking = false;
  async function takeCommands(): Promise<void> {
    if (taking || link.lostSince !== undefined) return;
    taking = true;
    try {
      const commands = await link.withControl((c) => pendingCommands(c, runId));
      for (const cmd of commands) {
        const result = await execute(cmd);
        await link.withControl((c) => ackCommand(c, cmd.id, result));
        dispatch({
          type: 'command',
          at: Date.now(),
          id: cmd.id,
          action: cmd.action,
          track: cmd.track,
          by: cmd.issuedBy,
          result,
        });
      }
    } catch {
      // Unreachable database: the commands wait in their table; the link retries.
    } finally {
      taking = false;
    }
  }

  async function execute(cmd: ControlCommand): Promise<string> {
    const sup = supervisor;
    switch (cmd.action) {
      case 'stop':
      case 'stop_now':
        void session.stop(cmd.action === 'stop' ? 'graceful' : 'now');
        return cmd.action === 'stop' ? 'stopping: running units finish first' : 'stopping now';
      case 'pause':
        if (!sup) return 'not running yet';
        return (cmd.track ? sup.pause(cmd.track) : sup.pauseAll()).text;
      case 'resume':
        if (!sup) return 'not running yet';
        return (cmd.track ? sup.resume(cmd.track) : sup.resumeAll()).text;
      case 'restart':
        if (!sup) return 'not running yet';
        if (!cmd.track) return 'restart needs a track';
        void sup.restart(cmd.track);
        return 'restarting (workers finish their unit first)';
      case 'add_worker':
      case 'remove_worker':
        if (!sup) return 'refused: not running yet';
        if (!cmd.track) return 'refused: it needs a track';
        return (
          cmd.action === 'add_worker' ? sup.addWorker(cmd.track) : sup.removeWorker(cmd.track)
        ).text;
      case 'retry':
        if (!sup) return 'refused: not running yet';
        if (!cmd.track) return 'refused: it needs a track';
        return retryFailed(sup, cmd.track);
    }
  }

  /**
   * `R`: the track's units that failed for good this run go back to the queue with fresh
   * attempts (as a new run would retry them), no longer count as failed, and a track that
   * had ended gets workers again.
   */
  async function retryFailed(sup: Supervisor, track: TrackName): Promise<string> {
    if (stopRequested) return 'refused: the run is stopping';
    const units = [...state.tracks[track].failedUnits];
    if (units.length === 0) return 'refused: none of its units failed for good in this run';
    await ctx.db.withPgClient((c) =>
      enqueueUnits(
        c,
        units.map((unit) => ({ track, unit })),
        ctx.settings.run.maxAttempts,
      ),
    );
    dispatch({ type: 'units_retried', at: Date.now(), track, units });
    sup.retried(track);
    return `${units.length} failed unit(s) back in the queue with fresh attempts`;
  }

  const session: RunSession = {
    runId,
    logFile,
    getState: () => state,
    subscribe(fn) {
      listeners.add(fn);
      return () => listeners.delete(fn);
    },
    async stop(mode = 'graceful', exitCode = EXIT_STOPPED) {
      if (stopRequested && !(mode === 'now' && stopRequested.mode === 'graceful')) return;
      stopRequested = { mode, exitCode };
      dispatch({
        type: 'run_phase',
        at: Date.now(),
        phase: 'stopping',
        detail: mode === 'graceful' ? 'running units finish first' : 'stopping at once',
      });
      if (!supervisor) {
        resolveFinished({
          status: 'interrupted',
          exitCode,
          message: 'stopped before any unit ran',
        });
        return;
      }
      await supervisor.stopAll(mode);
    },
    done: (async (): Promise<RunResult> => {
      const end = (await Promise.race([finished, prepareAndSupervise()])) ?? (await finished);
      // Given up or taken over: the workers were told to stop at once; wait for them.
      await supervisor?.done;
      // What other hosts' workers reported up to now is part of the run's end.
      if (feeding && link.lostSince === undefined) await remote.readFeed().catch(() => {});
      every.clear();
      feeding = false;
      // The report first: a view stops following at the end.
      await publishReport(end);
      // The end for every view and for `status`, then the rest of the log.
      dispatch({ type: 'run_finished', at: Date.now(), ...end });
      await finishRecord(end);
      await new Promise<void>((r) => (log ? log.end(r) : r()));
      return { state, ...end, message: end.message, logFile };
    })(),
  };

  /**
   * The post-run report (`bqx-monitor report`'s), as an event every view shows: made from
   * what the run recorded, with the end it is about to record. None when the database is
   * away or the run is no longer this process's; `report` makes it later all the same.
   */
  async function publishReport(end: { status: RunOutcome; exitCode: number; message?: string }) {
    if (!ownsRow || gaveUp || link.lostSince !== undefined) return;
    try {
      const report = await ctx.db.withPgClient(async (c) => {
        const run = await readRun(c, runId);
        if (!run) return undefined;
        const ending = { exitCode: end.exitCode, message: end.message ?? null };
        const recorded = { ...reportRunOf(run, end.status), ...ending, finishedAt: new Date() };
        return summarizeRun({ run: recorded, ...(await readRunOutcomes(c, runId)) });
      });
      if (report) dispatch({ type: 'run_report', at: Date.now(), report });
    } catch (err) {
      process.stderr.write(`could not make the run's report: ${(err as Error).message}\n`);
    }
  }

  /**
   * Statistics of the partitions this run wrote, once at its end (they are created with
   * autovacuum off, so nothing else gathers them). A failure is logged: the outputs stand.
   */
  async function analyzeRun(): Promise<void> {
    // `stop --now` asks for the way out at once: the next run's end analyzes them.
    if (link.lostSince !== undefined || requestedStop()?.mode === 'now') return;
    try {
      const t0 = Date.now();
      const n = await ctx.db.withPgClient(async (c) =>
        analyzeWritten(c, ctx.settings, await unitsDoneInRun(c, runId)),
      );
      if (n > 0)
        process.stderr.write(
          `analyzed ${n} partition(s) written by this run in ${Date.now() - t0} ms\n`,
        );
    } catch (err) {
      process.stderr.write(
        `could not analyze the partitions written by this run: ${(err as Error).message}\n`,
      );
    }
  }

  /** Records the end and the last events (for a few seconds if the database is away). */
  async function finishRecord(end: { status: RunOutcome; exitCode: number; message?: string }) {
    const deadline = Date.now() + 10_000;
    while (ownsRow && !gaveUp && Date.now() < deadline) {
      try {
        if (link.lostSince !== undefined) throw new Error('the database is unreachable');
        await publisher.flush();
        await ctx.db.withPgClient((c) => endRun(c, runId, { ...end, snapshot: snapshot(state) }));
        break;
      } catch {
        await sleep(500);
      }
    }
    await link.close();
  }

  /** Everything up to the end of the supervision; undefined when the run finished. */
  async function prepareAndSupervise(): Promise<
    { status: RunOutcome; exitCode: number; message?: string } | undefined
  > {
    try {
      await reachable(() => ctx.db.withPgClient((c) => pruneRunEvents(c, KEEP_EVENTS_OF_RUNS)));
      await reachable(() => remote.start());
      feeding = true;
      every.add(1000, takeFeed);
      every.add(
        REMOTE_POLL_MS,
        () => (link.lostSince === undefined ? remote.poll() : undefined),
        onDbError,
      );
      const scope = await reachable(() => seedIfEmpty());
      if (stopRequested) return undefined;
      dispatch({ type: 'run_phase', at: Date.now(), phase: 'preflight' });
      const report = await reachable(() =>
        runDoctor({ db: ctx.db, settings: ctx.settings, scope }),
      );
      dispatch({ type: 'preflight', at: Date.now(), report });
      if (!report.ok) {
        return {
          status: 'failed',
          exitCode: EXIT_PREFLIGHT,
          message: `the preflight found ${report.problems.length} problem(s); nothing was run`,
        };
      }
      if (stopRequested) return undefined;
      dispatch({ type: 'run_phase', at: Date.now(), phase: 'planning' });
      const plans = await reachable(() => prepareQueue({ ...ctx, scope }, o.recompute));
      const units = Object.fromEntries(
        TRACKS.map((t) => [t, enumerateUnits(scope, t).map((u) => u.unit)]),
      ) as Record<TrackName, string[]>;
      await reachable(() => link.withControl((c) => setRunUnits(c, runId, units)));
      if (stopRequested) return undefined;
      return await supervise(plans);
    } catch (err) {
      return { status: 'failed', exitCode: EXIT_FAILED, message: (err as Error).message };
    }
  }

  async function seedIfEmpty(): Promise<Scope> {
    if (!ctx.db.embedded || ctx.dataset) return ctx.scope;
    const catalog = await ctx.db.withPgClient((c) => readCatalog(c, ctx.settings.schema));
    if (catalog.tables.size > 0) return ctx.scope;
    const plan = PRESETS.demo;
    const total = plan.pairs.length * SOURCE_TABLE_KEYS.length;
    let done = 0;
    dispatch({
      type: 'run_phase',
      at: Date.now(),
      phase: 'seeding',
      detail: 'the demo dataset',
      done,
      total,
    });
    // Pairs in worker threads on their own sessions, as `bqx-monitor seed` does.
    const threads = ctx.db.childUrl ? threadsForPlan(plan) : 1;
    const parallel =
      threads > 1 ? { threads, connection: { connectionString: ctx.db.childUrl! } } : undefined;
    await ctx.db.withPgClient((c) =>
      seedDataset(c, ctx.settings, plan, {
        parallel,
        onProgress: (p) => {
          if (p.kind !== 'table') return;
          done++;
          dispatch({
            type: 'run_phase',
            at: Date.now(),
            phase: 'seeding',
            detail: `the demo dataset: ${p.table}`,
            done,
            total,
          });
        },
      }),
    );
    const dataset = await ctx.db.withPgClient((c) => readDataset(c));
    return resolveScope(ctx.settings, dataset);
  }

  async function supervise(
    plans: Awaited<ReturnType<typeof prepareQueue>>,
  ): Promise<{ status: RunOutcome; exitCode: number; message?: string } | undefined> {
    const budget = ctx.settings.run.maxWorkers ?? defaultBudget();
    const workers = Object.fromEntries(
      plans.map((p) => [
        p.track,
        p.todo.length === 0 ? 0 : Math.min(budget, ctx.settings.run.workers[p.track] ?? budget),
      ]),
    ) as Record<TrackName, number>;
    const history = await reachable(() => ctx.db.withPgClient((c) => readHistory(c, plans)));
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
    dispatch({
      type: 'run_history',
      at: Date.now(),
      tracks: history,
      budget: { budget, caps: workers },
    });
    const sup = new Supervisor({
      tracks: TRACKS.map((track) => ({ track, workers: workers[track] })),
      budget,
      demand: (track) => {
        const t = state.tracks[track];
        const queued = Math.max(0, remainingUnits(t) - t.running.length);
        const w = remainingWork(state, track);
        // Units a worker can be busy with: those queued and those running.
        const units = (w ? w.units : queued) + t.running.length;
        return { work: w ? w.ms : queued * PRIOR_UNIT_MS[track], units };
      },
      command: o.command,
      maxRestarts: ctx.settings.run.maxRestarts,
      ...(o.backoffMs ? { backoffMs: o.backoffMs } : {}),
      graceMs: o.graceMs ?? 30_000,
      dispatch,
      // The supervisor saw its own child die: its unit goes back to the queue at once.
      onWorkerDied: (_track, pid) => {
        deadWorkers.add(pid, stopRequested?.mode === 'now' ? 'interrupted' : 'crashed');
        void deadWorkers.flush().catch(onDbError);
      },
      onPausedUnit: (track, unit, ms) =>
        ctx.db.withPgClient((c) => correctUnitMs(c, track, unit, ms)).catch(onDbError),
      settle: (track) => {
        const t = state.tracks[track];
        if (t.failed > 0) return { status: 'failed', reason: `${t.failed} unit(s) failed` };
        const left = remainingUnits(t);
        return {
          status: 'complete',
          reason:
            left === 0
              ? 'complete'
              : `complete here; ${left} unit(s) were left to workers elsewhere`,
        };
      },
      canSpawn: () => link.lostSince === undefined,
    });
    supervisor = sup;
    // A stop that came while planning: nothing starts.
    if (stopRequested) return undefined;
    const sampleMs = o.sampleMs ?? 2000;
    const dirs = [
      { label: 'data', dir: ctx.dataDir },
      { label: 'output', dir: ctx.outDir },
    ];
    every.add(sampleMs, async () => {
      const sample = await sampleSystem({ dirs, workers: sup.pids() });
      dispatch({ type: 'system_sample', at: Date.now(), sample });
    });
    every.add(
      Math.max(sampleMs, 5000),
      async () => {
        if (link.lostSince !== undefined) return;
        const sample = await ctx.db.withPgClient((c) => sampleDatabase(c));
        dispatch({ type: 'database_sample', at: Date.now(), sample });
      },
      onDbError,
    );
    every.add(1000, () => {
      for (const s of findStalls(state, Date.now()))
        dispatch({ type: 'unit_stalled', at: Date.now(), ...s });
    });
    // Paused workers cannot beat: the supervisor vouches for them. Dead ones are released.
    every.add(
      HEARTBEAT_MS,
      async () => {
        if (link.lostSince !== undefined) return;
        await ctx.db.withPgClient((c) => heartbeat(c, host, sup.pausedPids()));
        await deadWorkers.flush();
      },
      onDbError,
    );
    sup.start();
    await sup.done;
    await analyzeRun();
    const stop = requestedStop();
    if (stop) {
      return {
        status: 'interrupted',
        exitCode: stop.exitCode,
        message: stop.mode === 'now' ? 'stopped at once' : 'stopped; running units finished first',
      };
    }
    const failed = TRACKS.filter((t) => state.tracks[t].status !== 'complete');
    if (failed.length > 0)
      return { status: 'failed', exitCode: EXIT_FAILED, message: `failed: ${failed.join(', ')}` };
    return { status: 'complete', exitCode: EXIT_OK };
  }

  return { kind: 'supervising', session };
}

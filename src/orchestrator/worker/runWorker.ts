import { EventEmitter } from 'node:events';
import os from 'node:os';
import { run, type Runner, type Task, type WorkerEvents } from 'graphile-worker';
import type { Settings } from '../../config/load.js';
import { describeLoss, isConnectionLoss } from '../../db/connection/connectionLoss.js';
import { withSpareClient } from '../../db/connection/pool.js';
import type { Database } from '../../db/connection/open.js';
import { finishedSince } from '../../db/ledger/results.js';
import { UnitInterrupted, workerIdentity } from '../../tracks/io/unitContext.js';
import type { Emit } from '../../tracks/protocol/emit.js';
import type { TrackName } from '../../tracks/protocol/events.js';
import { pendingJobs, queueLogger, type UnitPayload } from '../queue/jobQueue.js';
import { taskName } from '../queue/queueNames.js';
import { releaseInterruptedJobs } from '../queue/privateJobs.js';
import {
  DEAD_AFTER_MS,
  HEARTBEAT_MS,
  heartbeat,
  registerWorker,
  releaseDeadWorkers,
  unregisterProcess,
} from '../queue/workerRegistry.js';
import { type ExtractionOptions, runUnitByKey } from './runUnitByKey.js';
import { waitForDatabase } from './waitForDatabase.js';

export interface WorkerOptions {
  readonly db: Database;
  readonly settings: Settings;
  readonly track: TrackName;
  readonly concurrency: number;
  readonly extraction: ExtractionOptions;
  readonly emit: Emit;
  /** Stop once the track has no job left to run (what the supervisor's workers do). */
  readonly untilEmpty: boolean;
  /** Where graphile-worker's own warnings and errors go. */
  readonly log: (message: string) => void;
}

/** A running worker: `stop()` asks it to finish its current units and end. */
export interface RunningWorker {
  stop(reason: string): void;
  /**
   * Stops at once (a second signal): the jobs this process holds go back to the queue with
   * their attempts given back and it leaves the registry, within `deadlineMs`. Resolves
   * with the units it ran; the caller reports the exit and ends the process, and the
   * running units' transactions roll back as its connections close.
   */
  abandon(deadlineMs: number): Promise<number>;
  /** Resolves with the number of units run once the worker has ended. */
  readonly done: Promise<number>;
}

/**
 * `bqx-monitor worker --track T`: takes units of one track from the queue and runs them,
 * printing protocol events. Any database URL works, so a second machine can join a run.
 *
 * A lost database is waited out (up to `run.databaseTimeoutSeconds`): a unit it cut short
 * is reported `unit_interrupted` and run again in the same job once the database is back
 * (its transaction rolled back; nothing else is redone); if the queue itself gave up
 * meanwhile, a fresh queue runner starts and this process's stale locks are released with
 * their attempts given back.
 */
export async function startWorker(o: WorkerOptions): Promise<RunningWorker> {
  const host = os.hostname();
  const limitMs = o.settings.run.databaseTimeoutSeconds * 1000;
  const lockIds = new Set<string>();
  let units = 0;
  let stopping = false;
  // Left at once (`abandon`): its caller reports the exit, not the graceful path.
  let abandoned = false;
  let stopReason = 'the queue has no more units for this track';
  let runner: Runner | undefined;

  const waitOut = (cause: unknown) =>
    waitForDatabase(o.db.withPgClient, {
      limitMs,
      onLost: () =>
        o.emit({
          type: 'warning',
          code: 'database_unreachable',
          message: `the database is unreachable (${describeLoss(cause)}); waiting for it`,
        }),
      onBack: (ms) =>
        o.emit({
          type: 'warning',
          code: 'database_back',
          message: `the database is reachable again after ${Math.round(ms / 1000)} s`,
        }),
    });

  const runOnce = async (unit: string, plannedAt: string, attempt: number) => {
    // A job can outlive its unit's commit (its worker stopped between the two): never redo
    // the unit; report the recorded outcome so progress counts it.
    const prior = await o.db.withPgClient((c) => finishedSince(c, o.track, unit, plannedAt));
    if (prior) {
      o.emit({
        type: 'warning',
        unit,
        code: 'already_done',
        message: 'finished by an earlier attempt after this run was planned; not run again',
      });
      if (prior.status === 'done')
        o.emit({ type: 'unit_done', unit, rows: prior.rows, bytes: prior.bytes, ms: prior.ms });
      else
        o.emit({
          type: 'unit_empty',
          unit,
          reason: 'no source rows (recorded by an earlier attempt)',
        });
      return;
    }
    units++;
    const outcome = await runUnitByKey(
      {
        withPgClient: o.db.withPgClient,
        settings: o.settings,
        emit: o.emit,
        attempt,
        worker: workerIdentity(),
      },
      o.track,
      unit,
      o.extraction,
    );
    // A failed unit is retried by the queue with backoff, up to the maximum attempts.
    if (outcome.status === 'failed') throw new Error(outcome.error ?? 'unit failed');
  };

  const task: Task = async (payload, helpers) => {
    const { unit, plannedAt } = payload as UnitPayload;
    for (;;) {
      try {
        return await runOnce(unit, plannedAt, helpers.job.attempts);
      } catch (err) {
        const lost = err instanceof UnitInterrupted || isConnectionLoss(err);
        if (!lost || stopping) throw err;
        if (err instanceof UnitInterrupted)
          o.emit({ type: 'unit_interrupted', unit, reason: describeLoss(err.lost) });
        await waitOut(err instanceof UnitInterrupted ? err.lost : err);
      }
    }
  };

  // Jobs are locked under the pool's id (and each worker's): register every id this
  // process locks with, before any job is taken, so a dead process's units can be released.
  const register = (workerId: string) => {
    lockIds.add(workerId);
    return o.db
      .withPgClient((c) => registerWorker(c, { workerId, track: o.track, host, pid: process.pid }))
      .catch((err: Error) => o.log(`cannot register worker ${workerId}: ${err.message}`));
  };

  const startRunner = async (): Promise<Runner> => {
    const events: WorkerEvents = new EventEmitter();
    events.on('pool:create', ({ workerPool }) => void register(workerPool.id));
    events.on('worker:create', ({ worker }) => void register(worker.workerId));
    const r = await run({
      pgPool: o.db.pool,
      concurrency: o.concurrency,
      noHandleSignals: true,
      pollInterval: 1000,
      events,
      taskList: { [taskName(o.track)]: task },
      logger: queueLogger((level, message) => {
        if (level === 'error' || level === 'warning')
          o.log(`queue ${level}: ${message.split('\n')[0]}`);
      }),
    });
    if (o.untilEmpty) {
      let checking = false;
      r.events.on('worker:getJob:empty', () => {
        if (checking || stopping) return;
        checking = true;
        o.db
          .withPgClient((c) => pendingJobs(c, o.track))
          .then((n) => {
            if (n === 0) stop('the queue has no more units for this track');
          })
          .catch(() => {})
          .finally(() => {
            checking = false;
          });
      });
    }
    return r;
  };

  const stop = (reason: string) => {
    if (stopping) return;
    stopping = true;
    stopReason = reason;
    void runner?.stop(reason).catch(() => {});
  };

  const abandon = async (deadlineMs: number): Promise<number> => {
    stopping = true;
    abandoned = true;
    clearInterval(beat);
    // On a session of its own: the running units may hold every client of the pool.
    const released = withSpareClient(o.db.pool, async (c) => {
      await releaseInterruptedJobs(c, [...lockIds]);
      await unregisterProcess(c, host, process.pid);
    });
    let timer: NodeJS.Timeout | undefined;
    await Promise.race([
      released.catch(() => {}),
      new Promise((r) => {
        timer = setTimeout(r, deadlineMs);
      }),
    ]);
    clearTimeout(timer);
    return units;
  };

  const beat = setInterval(() => {
    void o.db
      .withPgClient(async (c) => {
        await heartbeat(c, host, [process.pid]);
        await releaseDeadWorkers(c, { host, timeoutMs: DEAD_AFTER_MS });
      })
      .catch(() => {});
  }, HEARTBEAT_MS);
  beat.unref();

  runner = await startRunner();
  const done = (async () => {
    for (;;) {
      try {
        await runner.promise;
        break;
      } catch (err) {
        if (stopping) break;
        // The queue runner gave up on a lost database (e.g. it could not mark a job done):
        // wait for the database, give back what this process still holds, start afresh.
        const reachable = await o.db
          .withPgClient((c) => c.query('SELECT 1'))
          .then(
            () => true,
            () => false,
          );
        if (reachable && !isConnectionLoss(err)) throw err;
        await waitOut(err);
        await o.db.withPgClient((c) => releaseInterruptedJobs(c, [...lockIds]));
        if (stopping) break;
        runner = await startRunner();
      }
    }
  })().then(
    async () => {
      clearInterval(beat);
      if (abandoned) return units;
      await o.db.withPgClient((c) => unregisterProcess(c, host, process.pid)).catch(() => {});
      o.emit({ type: 'worker_exit', code: 0, reason: stopReason, units });
      return units;
    },
    async (err: Error) => {
      clearInterval(beat);
      o.emit({ type: 'worker_exit', code: 1, reason: `queue error: ${err.message}`, units });
      throw err;
    },
  );
  return { stop, abandon, done };
}

import { EventEmitter } from 'node:events';
import os from 'node:os';
import { run, type Runner, type Task, type WorkerEvents } from 'graphile-worker';
import type { Settings } from '../../config/load.js';
import { describeLoss, isConnectionLoss } from '../../db/connection/connectionLoss.js';
import { retryOnLoss } from '../../db/connection/retry.js';
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
  const worker = new QueueWorker(o);
  await worker.start();
  return {
    stop: (reason) => worker.stop(reason),
    abandon: (deadlineMs) => worker.abandon(deadlineMs),
    done: worker.done,
  };
}

/** Retries with no wait of their own: `waitOut` is the backoff. */
const AT_ONCE = { firstDelayMs: 0, maxDelayMs: 0 } as const;

/** One worker process's queue runner, its registry rows and its heartbeat. */
class QueueWorker {
  private readonly host = os.hostname();
  /** Every id this process locks jobs with (the pool's and each worker's). */
  private readonly lockIds = new Set<string>();
  private units = 0;
  private stopping = false;
  // Left at once (`abandon`): its caller reports the exit, not the graceful path.
  private abandoned = false;
  private stopReason = 'the queue has no more units for this track';
  private runner: Runner | undefined;
  private beat: NodeJS.Timeout | undefined;
  done!: Promise<number>;

  constructor(private readonly o: WorkerOptions) {}

  async start(): Promise<void> {
    this.beat = setInterval(() => void this.heartbeat(), HEARTBEAT_MS);
    this.beat.unref();
    this.runner = await this.startRunner();
    this.done = this.runToEnd();
  }

  /** Asks the worker to finish its current units and end. */
  stop(reason: string): void {
    if (this.stopping) return;
    this.stopping = true;
    this.stopReason = reason;
    void this.runner?.stop(reason).catch(() => {});
  }

  /** See `RunningWorker.abandon`. */
  async abandon(deadlineMs: number): Promise<number> {
    this.stopping = true;
    this.abandoned = true;
    clearInterval(this.beat);
    // On a session of its own: the running units may hold every client of the pool.
    const released = withSpareClient(this.o.db.pool, async (c) => {
      await releaseInterruptedJobs(c, [...this.lockIds]);
      await unregisterProcess(c, this.host, process.pid);
    });
    let timer: NodeJS.Timeout | undefined;
    await Promise.race([
      released.catch(() => {}),
      new Promise((r) => {
        timer = setTimeout(r, deadlineMs);
      }),
    ]);
    clearTimeout(timer);
    return this.units;
  }

  private heartbeat(): Promise<void> {
    const { host } = this;
    return this.o.db
      .withPgClient(async (c) => {
        await heartbeat(c, host, [process.pid]);
        await releaseDeadWorkers(c, { host, timeoutMs: DEAD_AFTER_MS });
      })
      .catch(() => {});
  }

  /** Waits for the database (up to the limit), saying so in warnings. */
  private waitOut(cause: unknown): Promise<void> {
    return waitForDatabase(this.o.db.withPgClient, {
      limitMs: this.o.settings.run.databaseTimeoutSeconds * 1000,
      onLost: () =>
        this.o.emit({
          type: 'warning',
          code: 'database_unreachable',
          message: `the database is unreachable (${describeLoss(cause)}); waiting for it`,
        }),
      onBack: (ms) =>
        this.o.emit({
          type: 'warning',
          code: 'database_back',
          message: `the database is reachable again after ${Math.round(ms / 1000)} s`,
        }),
    });
  }

  /**
   * A job: its unit, run again in the same job after a database outage cut it short (its
   * transaction rolled back; nothing else is redone).
   */
  private readonly task: Task = async (payload, helpers) => {
    const { unit, plannedAt } = payload as UnitPayload;
    await retryOnLoss(() => this.runOnce(unit, plannedAt, helpers.job.attempts), {
      ...AT_ONCE,
      isLoss: (err) => !this.stopping && (err instanceof UnitInterrupted || isConnectionLoss(err)),
      onLoss: async (err) => {
        const lost = err instanceof UnitInterrupted ? err.lost : err;
        if (err instanceof UnitInterrupted)
          this.o.emit({ type: 'unit_interrupted', unit, reason: describeLoss(lost) });
        await this.waitOut(lost);
      },
    });
  };

  private async runOnce(unit: string, plannedAt: string, attempt: number): Promise<void> {
    const { o } = this;
    // A job can outlive its unit's commit (its worker stopped between the two): never redo
    // the unit; report the recorded outcome so progress counts it.
    const prior = await o.db.withPgClient((c) => finishedSince(c, o.track, unit, plannedAt));
    if (prior) return this.reportPrior(unit, prior);
    this.units++;
    const ctx = {
      withPgClient: o.db.withPgClient,
      settings: o.settings,
      emit: o.emit,
      attempt,
      worker: workerIdentity(),
    };
    const outcome = await runUnitByKey(ctx, o.track, unit, o.extraction);
    // A failed unit is retried by the queue with backoff, up to the maximum attempts.
    if (outcome.status === 'failed') throw new Error(outcome.error ?? 'unit failed');
  }

  private reportPrior(unit: string, prior: NonNullable<Awaited<ReturnType<typeof finishedSince>>>) {
    const { emit } = this.o;
    emit({
      type: 'warning',
      unit,
      code: 'already_done',
      message: 'finished by an earlier attempt after this run was planned; not run again',
    });
    if (prior.status === 'done')
      emit({ type: 'unit_done', unit, rows: prior.rows, bytes: prior.bytes, ms: prior.ms });
    else
      emit({ type: 'unit_empty', unit, reason: 'no source rows (recorded by an earlier attempt)' });
  }

  // Jobs are locked under the pool's id (and each worker's): register every id this
  // process locks with, before any job is taken, so a dead process's units can be released.
  private register(workerId: string): Promise<unknown> {
    this.lockIds.add(workerId);
    const row = { workerId, track: this.o.track, host: this.host, pid: process.pid };
    return this.o.db
      .withPgClient((c) => registerWorker(c, row))
      .catch((err: Error) => this.o.log(`cannot register worker ${workerId}: ${err.message}`));
  }

  private async startRunner(): Promise<Runner> {
    const { o } = this;
    const events: WorkerEvents = new EventEmitter();
    events.on('pool:create', ({ workerPool }) => void this.register(workerPool.id));
    events.on('worker:create', ({ worker }) => void this.register(worker.workerId));
    const r = await run({
      pgPool: o.db.pool,
      concurrency: o.concurrency,
      noHandleSignals: true,
      pollInterval: 1000,
      events,
      taskList: { [taskName(o.track)]: this.task },
      logger: queueLogger((level, message) => {
        if (level === 'error' || level === 'warning')
          o.log(`queue ${level}: ${message.split('\n')[0]}`);
      }),
    });
    if (o.untilEmpty) this.stopWhenEmpty(r);
    return r;
  }

  /** The supervisor's workers end once their track has no job left. */
  private stopWhenEmpty(r: Runner): void {
    let checking = false;
    r.events.on('worker:getJob:empty', () => {
      if (checking || this.stopping) return;
      checking = true;
      this.o.db
        .withPgClient((c) => pendingJobs(c, this.o.track))
        .then((n) => {
          if (n === 0) this.stop('the queue has no more units for this track');
        })
        .catch(() => {})
        .finally(() => {
          checking = false;
        });
    });
  }

  /**
   * Runs the queue until it ends. The queue runner giving up on a lost database (e.g. it
   * could not mark a job done) is waited out: what this process still holds is given back
   * and a fresh runner starts.
   */
  private async runToEnd(): Promise<number> {
    try {
      await retryOnLoss(() => this.runnerEnded(), {
        ...AT_ONCE,
        isLoss: () => !this.stopping,
        onLoss: (err) => this.restartAfter(err),
      });
    } catch (err) {
      clearInterval(this.beat);
      const reason = `queue error: ${(err as Error).message}`;
      this.o.emit({ type: 'worker_exit', code: 1, reason, units: this.units });
      throw err;
    }
    clearInterval(this.beat);
    if (this.abandoned) return this.units;
    const { host } = this;
    await this.o.db.withPgClient((c) => unregisterProcess(c, host, process.pid)).catch(() => {});
    this.o.emit({ type: 'worker_exit', code: 0, reason: this.stopReason, units: this.units });
    return this.units;
  }

  /** The current runner's end; its failure after a stop is the stop's. */
  private async runnerEnded(): Promise<void> {
    try {
      await this.runner?.promise;
    } catch (err) {
      if (!this.stopping) throw err;
    }
  }

  private async restartAfter(err: unknown): Promise<void> {
    const reachable = await this.o.db
      .withPgClient((c) => c.query('SELECT 1'))
      .then(
        () => true,
        () => false,
      );
    if (reachable && !isConnectionLoss(err)) throw err;
    await this.waitOut(err);
    await this.o.db.withPgClient((c) => releaseInterruptedJobs(c, [...this.lockIds]));
    if (!this.stopping) this.runner = await this.startRunner();
  }
}

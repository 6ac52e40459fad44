import type { Command } from 'commander';
import { migrateAll } from '../../orchestrator/run/migrateAll.js';
import { SUPERVISED_ENV } from '../../orchestrator/supervisor/workerCommand.js';
import { createEmitter } from '../../tracks/protocol/emit.js';
import type { TrackName } from '../../tracks/protocol/events.js';
import type { Context } from '../../db/context.js';
import type { RunningWorker } from '../../orchestrator/worker/runWorker.js';
import type { FeedPublisher } from '../../orchestrator/live/workerFeed.js';
import { type GlobalOptions, openContext } from '../context.js';
import { exitProcess } from '../exit.js';
import { interceptSignals, SIGNAL_EXIT } from '../shutdown.js';
import { EXIT, UserError } from '../../config/userError.js';
import { forTerminal } from '../../orchestrator/text/charset.js';

interface WorkerFlags {
  track: TrackName;
  concurrency: string;
  untilEmpty?: boolean;
}

/** How a worker prints its events: stdout, and the worker feed for one a user started. */
async function eventsOut(ctx: Context, track: TrackName, supervised: boolean) {
  // A worker a user started (any host) also writes its events to the worker feed, for
  // the live run's supervisor; a supervised one's reach it through its stdout.
  const feed: FeedPublisher | undefined = supervised
    ? undefined
    : new (await import('../../orchestrator/live/workerFeed.js')).FeedPublisher(
        ctx.db.withPgClient,
      );
  const emit = createEmitter(
    track,
    feed
      ? (line) => {
          process.stdout.write(line);
          feed.push(JSON.parse(line));
        }
      : undefined,
  );
  return { feed, emit };
}

/**
 * The first signal: take no new unit, finish the current one. A second, of either kind
 * (`stop --now` sends SIGTERM and SIGINT, which are never merged into one): at once.
 * Returns the leaving in progress, once a second signal started it.
 */
function onSignals(
  worker: RunningWorker,
  out: Awaited<ReturnType<typeof eventsOut>>,
): () => Promise<never> | undefined {
  let leaving: Promise<never> | undefined;
  const stopAtOnce = async (signal: NodeJS.Signals): Promise<never> => {
    const code = SIGNAL_EXIT[signal] ?? EXIT.interrupted;
    try {
      const units = await worker.abandon(2000);
      out.emit({
        type: 'worker_exit',
        code,
        reason: `a second signal (${signal}): stopped at once; its running units roll back and go back to the queue`,
        units,
      });
      await out.feed?.close(Date.now() + 1000);
    } finally {
      // No cleanup waits: closing the pool would wait for the running units, which could
      // then commit. The exit closes the connections and the server rolls the units back;
      // an embedded server this process was the last to use is adopted by the next command.
      exitProcess(code);
    }
  };
  interceptSignals((signal, count) => {
    if (count === 1) worker.stop(`${signal}: finishing the current unit`);
    else leaving ??= stopAtOnce(signal);
    return 'handled';
  });
  return () => leaving;
}

/** Nobody reads our events any more, or the supervisor is gone: finish quietly. */
function onReadersGone(worker: RunningWorker, supervised: boolean): void {
  // The current unit's commit and its job's completion still happen.
  process.stdout.on('error', () => worker.stop('stdout closed'));
  if (!supervised) return;
  // The supervisor holds our stdin open: when it dies, even by SIGKILL, stdin ends.
  process.stdin.on('end', () => worker.stop('the supervisor went away'));
  process.stdin.on('error', () => worker.stop('the supervisor went away'));
  process.stdin.resume();
}

/**
 * `bqx-monitor worker --track T [--concurrency N]`: takes units of one track from the
 * queue and runs them, printing protocol events on stdout. SIGTERM or SIGINT: take no new
 * unit, finish the current ones, exit 0 (a second signal exits at once; the unit's
 * transaction rolls back and its job is retried).
 */
export async function workerAction(flags: WorkerFlags, cmd: Command): Promise<void> {
  const concurrency = Number(flags.concurrency);
  if (!Number.isInteger(concurrency) || concurrency < 1 || concurrency > 64)
    throw new UserError('--concurrency: expected a whole number from 1 to 64');
  const say = (m: string) => process.stderr.write(forTerminal(`${m}\n`));
  // A session per running unit, plus graphile-worker's LISTEN and the heartbeat / feed.
  const ctx = await openContext(cmd.optsWithGlobals<GlobalOptions>(), say, {
    patient: true,
    poolSize: Math.max(4, concurrency + 2),
  });
  await migrateAll(ctx.db);
  // graphile-worker prints a worker's fatal error with console.trace: one line, no stack.
  console.trace = (...args: unknown[]) => say(`queue: ${String(args[0]).split('\n')[0]}`);
  // Loaded here: the track runners (Arrow, Parquet) are not needed by other commands.
  const { startWorker } = await import('../../orchestrator/worker/runWorker.js');
  const supervised = process.env[SUPERVISED_ENV] === '1';
  const out = await eventsOut(ctx, flags.track, supervised);
  out.emit({ type: 'worker_start', concurrency });
  const worker = await startWorker({
    db: ctx.db,
    settings: ctx.settings,
    track: flags.track,
    concurrency,
    extraction: { outDir: ctx.outDir, compression: ctx.settings.compression },
    emit: out.emit,
    untilEmpty: flags.untilEmpty === true,
    log: say,
  });
  const leaving = onSignals(worker, out);
  onReadersGone(worker, supervised);
  try {
    await worker.done;
    // Leaving at once: that path reports the exit and ends the process.
    await leaving();
  } catch (err) {
    throw new UserError(`worker stopped: ${(err as Error).message}`, EXIT.failed);
  } finally {
    // Its last events (worker_exit) reach the run, if the database takes them within 5 s.
    await out.feed?.close(Date.now() + 5000);
  }
  process.exitCode = EXIT.ok;
}

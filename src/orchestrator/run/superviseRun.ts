import os from 'node:os';
import { EXIT } from '../../config/userError.js';
import type { Context } from '../../db/context.js';
import type { TrackName } from '../../tracks/protocol/events.js';
import { beatRun } from '../live/runRecord.js';
import { notifyLostRun } from '../notify/runNotices.js';
import type { RunEvent, RunOutcome } from '../state/events.js';
import type { RunState } from '../state/runState.js';
import { snapshot } from '../state/snapshot.js';
import type { Supervisor } from '../supervisor/supervisor.js';
import { CommandTaker } from './commands.js';
import { Every } from './every.js';
import { FeedTaker } from './feedTaker.js';
import { finishRun } from './finish.js';
import { type EndReason, type RunEnd, RunLifecycle, type StopMode } from './lifecycle.js';
import { prepareRun } from './prepare.js';
import { RemoteWorkers } from './remoteWorkers.js';
import { RunEvents } from './runEvents.js';
import { reachableThrough, type RunParts } from './runParts.js';
import { superviseTracks, type TrackOptions } from './superviseTracks.js';
import { SupervisorLink } from './supervisorLink.js';

export interface SuperviseOptions extends TrackOptions {
  /** The id the run gets if this process becomes the database's live run. */
  readonly runId: string;
  /** Tracks whose finished units are done again. */
  readonly recompute: ReadonlySet<TrackName>;
  /** Tracks this run leaves for a later one (`run --follow` throttling Track 3). */
  readonly hold?: ReadonlySet<TrackName>;
  /** Whether the run's end is announced (a `run --follow` cycle: `shouldNotify`). */
  readonly notifyWhen?: (status: RunOutcome) => boolean;
  /** The run's plain-text log, when it runs in the background (recorded for views). */
  readonly logFile?: string;
}

/** How a run ended, with its last state. */
export interface RunResult extends RunEnd {
  /** Always present (undefined when there is nothing to say), as the views read it. */
  readonly message: string | undefined;
  readonly state: RunState;
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

/**
 * Becomes the database's live run, or finds that another process already supervises it
 * (then nothing is started). As the live run: records it, prepares it (prepare.ts), runs
 * its tracks' workers (superviseTracks.ts), publishes every event to the database for the
 * views, takes commands from the control channel (commands.ts), heartbeats, waits out
 * database outages (up to `run.databaseTimeoutSeconds`), and finishes it (finish.ts).
 * Every way it ends goes through its lifecycle (lifecycle.ts).
 */
export async function superviseRun(ctx: Context, o: SuperviseOptions): Promise<Supervised> {
  const events = new RunEvents(o.runId, ctx.db.withPgClient, ctx.dataDir);
  const lifecycle = new RunLifecycle<Supervisor>();
  const link = openLink(ctx, events, lifecycle, {
    commands: () => void commands.take(),
    feed: () => feed.take(),
  });
  const onDbError = (err: unknown) => link.noteFailure(err);
  const parts: RunParts = {
    ctx,
    runId: o.runId,
    host: os.hostname(),
    events,
    lifecycle,
    link,
    every: new Every(),
    reachable: reachableThrough(link, lifecycle),
    onDbError,
    notifyWhen: o.notifyWhen,
  };
  const stop = (mode: StopMode = 'graceful', exitCode: number = EXIT.interrupted) =>
    stopRun(parts, { mode, exitCode });
  const commands = new CommandTaker({ ...parts, stop: (mode) => void stop(mode) });
  const remote = new RemoteWorkers(
    ctx.db.withPgClient,
    parts.host,
    events.ownPids,
    events.dispatch,
  );
  const feed = new FeedTaker(remote, link, onDbError);
  if (!(await claimRun(parts, o.logFile))) return { kind: 'taken' };
  keepUp(parts, commands);
  const session: RunSession = {
    runId: o.runId,
    logFile: events.logFile,
    getState: () => events.state,
    subscribe: (fn) => events.subscribe(fn),
    stop,
    done: runToEnd(parts, feed, o),
  };
  return { kind: 'supervising', session };
}

/** The run's link to the database: its outages are events, its stand-downs the run's end. */
function openLink(
  ctx: Context,
  events: RunEvents,
  lifecycle: RunLifecycle,
  wake: { readonly commands: () => void; readonly feed: () => void },
): SupervisorLink {
  return new SupervisorLink(
    ctx.db.pool,
    {
      onChange: (state, since, error) =>
        events.dispatch({
          type: 'connection',
          at: Date.now(),
          side: 'supervisor',
          state,
          since,
          ...(error ? { error } : {}),
        }),
      onCommand: wake.commands,
      onFeed: wake.feed,
      onGiveUp: (message) => lifecycle.end({ kind: 'gave_up', message }),
      onTakenOver: (message) => lifecycle.end({ kind: 'taken_over', message }),
    },
    ctx.settings.run.databaseTimeoutSeconds * 1000,
  );
}

/** Tries to become the database's live run; when it does, opens its log and says so. */
async function claimRun(p: RunParts, logFile: string | undefined): Promise<boolean> {
  const run = { runId: p.runId, host: p.host, pid: process.pid, ...(logFile ? { logFile } : {}) };
  const claim = await p.link.claim(run);
  if (claim.kind !== 'won') return false;
  // The run this claim found gone is announced by this supervisor, which found it.
  if (claim.resumedFrom) {
    const say = (line: string) => process.stderr.write(`${line}\n`);
    const { notify } = p.ctx.settings;
    void notifyLostRun(notify, p.ctx.db.withPgClient, claim.resumedFrom, say);
  }
  p.events.openLog();
  p.events.dispatch({
    type: 'run_started',
    at: Date.now(),
    ...run,
    ...(claim.resumedFrom ? { resumedFrom: claim.resumedFrom } : {}),
  });
  return true;
}

/**
 * The run's periodic jobs from its start, so views see the preparation too: publishing,
 * the heartbeat of its record (which finds a run declared lost), the clock, the commands.
 */
function keepUp(p: RunParts, commands: CommandTaker): void {
  const { every, events, link, onDbError } = p;
  every.add(
    250,
    () => (link.lostSince === undefined ? events.publisher.flush() : undefined),
    onDbError,
  );
  every.add(
    2000,
    async () => {
      const beat = (c: Parameters<typeof beatRun>[0]) =>
        beatRun(c, p.runId, events.phase, snapshot(events.state));
      if (!(await link.withControl(beat))) p.lifecycle.end({ kind: 'declared_lost' });
    },
    onDbError,
  );
  every.add(1000, () => events.dispatch({ type: 'tick', at: Date.now() }));
  every.add(1000, () => commands.take());
}

/** A user's stop: the run shows `stopping`, and its workers are told. */
async function stopRun(p: RunParts, stop: { mode: StopMode; exitCode: number }): Promise<void> {
  if (!p.lifecycle.requestStop(stop)) return;
  const detail = stop.mode === 'graceful' ? 'running units finish first' : 'stopping at once';
  p.events.dispatch({ type: 'run_phase', at: Date.now(), phase: 'stopping', detail });
  await p.lifecycle.stopWorkers();
}

/** Prepares and runs the tracks; the reason it ends (undefined: it ended elsewhere). */
async function prepareAndSupervise(
  p: RunParts,
  feed: FeedTaker,
  o: SuperviseOptions,
): Promise<EndReason | undefined> {
  try {
    const plans = await prepareRun(p, feed, o.recompute, o.hold);
    return plans && (await superviseTracks(p, plans, o));
  } catch (err) {
    return { kind: 'error', message: (err as Error).message };
  }
}

/** The run from its preparation to its end, whichever way it ends. */
async function runToEnd(p: RunParts, feed: FeedTaker, o: SuperviseOptions): Promise<RunResult> {
  void prepareAndSupervise(p, feed, o).then((reason) => reason && p.lifecycle.end(reason));
  const end = await p.lifecycle.ended;
  // Given up or taken over: the workers were told to stop at once; wait for them.
  await p.lifecycle.workersGone();
  await feed.close();
  await p.every.clear();
  p.lifecycle.to('finishing');
  await finishRun(p, end);
  await p.events.closeLog();
  p.lifecycle.to('ended');
  return { state: p.events.state, ...end, message: end.message, logFile: p.events.logFile };
}

import { randomUUID } from 'node:crypto';
import os from 'node:os';
import type { Context } from '../../db/context.js';
import { retryOnLoss } from '../../db/connection/retry.js';
import { stdoutLines } from '../../orchestrator/headless/safeStdout.js';
import { newRunId } from '../../orchestrator/live/runRecord.js';
import { notifyFollowEnd } from '../../orchestrator/notify/followNotice.js';
import {
  type CycleEnd,
  type FollowEnd,
  followRuns,
  shouldNotify,
  staleUnits,
} from '../../orchestrator/run/follow.js';
import { holdFollowRow } from '../../orchestrator/run/followPresence.js';
import type { RunOutcome } from '../../orchestrator/state/events.js';
import { forTerminal } from '../../orchestrator/text/charset.js';
import { type Waiting, waitingLine } from '../../orchestrator/text/waitingLine.js';
import type { TrackName } from '../../tracks/protocol/events.js';
import type { GlobalOptions } from '../context.js';
import { interceptSignals, SIGNAL_EXIT } from '../shutdown.js';
import { superviseInForeground } from './foreground.js';

/** What a follow shows: its runs, its wait, and its end (plain lines, NDJSON, a dashboard). */
export interface FollowView {
  /** One run of the follow, supervised in this process; resolves with its exit code. */
  cycle(run: {
    readonly runId: string;
    readonly hold: ReadonlySet<TrackName>;
    readonly recompute: ReadonlySet<TrackName>;
    readonly notifyWhen: (status: RunOutcome) => boolean;
    readonly stopSignal: AbortSignal;
  }): Promise<number>;
  /** Between runs: the waiting line (again at each check). */
  waiting(w: Waiting): void;
  /** The follow ended (`betweenRuns`: no run's end told of it) after `cycles` runs. */
  ended(end: FollowEnd & { readonly cycles: number }): void | Promise<void>;
  /** Aborted when the user ends the follow from the view (`q` while it waits). */
  readonly stopped?: AbortSignal;
}

/** The follow's options, as `run --follow` got them. */
export interface FollowFlags {
  readonly json: boolean;
  readonly recompute: ReadonlySet<TrackName>;
  readonly intervalMs: number;
}

/** Plain lines (or NDJSON with --json): each run as `run --json` prints it, then the wait. */
export function lineView(ctx: Context, g: GlobalOptions, json: boolean): FollowView {
  const lines = stdoutLines();
  return {
    cycle: (run) => superviseInForeground(ctx, g, { json, ...run }),
    waiting(w) {
      if (json)
        lines.write(`${JSON.stringify({ type: 'follow_waiting', at: Date.now(), ...w })}\n`);
      else lines.write(forTerminal(`${waitingLine(w)}\n`));
    },
    ended() {},
  };
}

/**
 * `run --follow [INTERVAL]`: supervises a run in this process, then stays and starts the
 * next one whenever the sources changed (orchestrator/run/follow.ts), each a run of its
 * own, shown by `view`. It is recorded in the database while it lives (`bqx_monitor.follows`:
 * `status` and `stop` reach it from any host), and ends on SIGINT / SIGTERM or a `stop`
 * (exit 130 / 143). Stopped between runs, it tells so once (notify.command, webhook).
 */
export async function followInForeground(
  ctx: Context,
  o: FollowFlags,
  view: FollowView,
): Promise<number> {
  const stopped = new AbortController();
  const signals = stopOnSignals(stopped);
  const startedAt = new Date();
  const presence = await holdFollowRow(ctx.db.withPgClient, {
    followId: randomUUID(),
    intervalMs: o.intervalMs,
  });
  presence.stopRequested.addEventListener('abort', () => stopped.abort(), { once: true });
  view.stopped?.addEventListener('abort', () => stopped.abort(), { once: true });
  let cycles = 0;
  let lastRunId: string | undefined;
  try {
    const end = await followRuns({
      intervalMs: o.intervalMs,
      extractionEveryMs: ctx.settings.follow.extractionEveryMs,
      signal: stopped.signal,
      check: (hold) => checkOnLoss(ctx, hold, stopped.signal),
      cycle: async (hold, previous): Promise<CycleEnd> => {
        const runId = newRunId();
        // --recompute forces the first run only: the later ones run what became stale.
        const recompute = cycles++ === 0 ? o.recompute : new Set<TrackName>();
        lastRunId = runId;
        presence.update({ waiting: undefined, cycles, lastRunId });
        // Told of a failure and of the first success after one, not of every quiet run.
        const notifyWhen = (status: RunOutcome) => shouldNotify(status, previous);
        const exitCode = await view.cycle({
          runId,
          hold,
          recompute,
          notifyWhen,
          stopSignal: stopped.signal,
        });
        signals.listen();
        return { runId, exitCode };
      },
      onWaiting: (w) => {
        presence.update({ waiting: w, cycles, lastRunId });
        view.waiting(w);
      },
    });
    const exitCode = stopped.signal.aborted ? signals.exitCode() : end.exitCode;
    await view.ended({ ...end, exitCode, cycles });
    if (end.betweenRuns && lastRunId !== undefined)
      await tellFollowEnd(ctx, { lastRunId, cycles, exitCode, startedAt });
    return exitCode;
  } finally {
    await presence.close();
  }
}

/**
 * Between runs, SIGINT / SIGTERM end the follow (a run answers them itself while it goes
 * on: `listen` again after each). `exitCode`: 130, or 143 after SIGTERM.
 */
function stopOnSignals(stopped: AbortController) {
  let signalled = 130;
  return {
    listen: () =>
      interceptSignals((signal) => {
        if (signal === 'SIGHUP') return 'ignored';
        signalled = SIGNAL_EXIT[signal] ?? 130;
        stopped.abort();
        return 'handled';
      }),
    exitCode: () => signalled,
  };
}

/** The check between runs, waiting out a lost database (a stop ends the wait: nothing found). */
async function checkOnLoss(ctx: Context, hold: ReadonlySet<TrackName>, signal: AbortSignal) {
  try {
    return await retryOnLoss(() => staleUnits(ctx, hold), { signal });
  } catch (err) {
    if (signal.aborted) return [];
    throw err;
  }
}

/** The follow's one end notice, when it ended between its runs. */
async function tellFollowEnd(
  ctx: Context,
  f: { lastRunId: string; cycles: number; exitCode: number; startedAt: Date },
): Promise<void> {
  await notifyFollowEnd(
    ctx.settings.notify,
    { ...f, host: os.hostname(), finishedAt: new Date() },
    (line) => process.stderr.write(`${line}\n`),
  );
}

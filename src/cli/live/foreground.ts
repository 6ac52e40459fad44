import type { RunOutcome } from '../../orchestrator/state/events.js';
import type { Context } from '../../db/context.js';
import { stdoutLines } from '../../orchestrator/headless/safeStdout.js';
import { waitForLiveRun } from '../../orchestrator/live/liveRun.js';
import { newRunId } from '../../orchestrator/live/runRecord.js';
import { type RunSession, superviseRun } from '../../orchestrator/run/superviseRun.js';
import { forTerminal } from '../../orchestrator/text/charset.js';
import type { TrackName } from '../../tracks/protocol/events.js';
import { EXIT, UserError } from '../../config/userError.js';
import type { GlobalOptions } from '../context.js';
import { interceptSignals, SIGNAL_EXIT } from '../shutdown.js';
import { formatDoctor } from '../actions/doctor.js';
import { followRun, reportRun } from './follow.js';
import { waitForPreparation } from './preparation.js';
import { startRunServices } from './runServices.js';
import { workerCommandFor } from './workers.js';

/** How `superviseInForeground` runs and writes. */
export interface ForegroundOptions {
  readonly json: boolean;
  readonly recompute: ReadonlySet<TrackName>;
  readonly runId?: string;
  /** Tracks this run leaves for a later one (`run --follow`). */
  readonly hold?: ReadonlySet<TrackName>;
  /** Whether the run's end is announced (`run --follow`: `shouldNotify`). */
  readonly notifyWhen?: (status: RunOutcome) => boolean;
  /** The background supervisor's own log: it neither follows another run nor hints. */
  readonly logFile?: string;
  readonly background?: boolean;
  /** What the flags leave for the next run when one is live (`--recompute applies to …`). */
  readonly nextRun?: string;
  /** Stops the run when aborted, as a stop asked for would (a follow stopped from afar). */
  readonly stopSignal?: AbortSignal;
  /**
   * Shows the run instead of plain lines or NDJSON (a follow's dashboard on a terminal) and
   * resolves with its exit code.
   */
  readonly show?: (session: RunSession) => Promise<number>;
}

/** Another process supervises the database's live run: follow it and exit with its code. */
async function followTheLiveRun(
  ctx: Context,
  o: ForegroundOptions,
  write: (line: string) => void,
): Promise<number> {
  if (o.background) {
    write('another run is live in this database: this supervisor started nothing\n');
    return EXIT.ok;
  }
  const live = await waitForLiveRun(ctx.db.withPgClient, { timeoutMs: 60_000 });
  if (live.kind !== 'live' && live.kind !== 'reconnecting')
    throw new UserError('another run holds the database but never recorded itself', EXIT.failed);
  const why = `a run is already live in this database${o.nextRun ? ` (${o.nextRun})` : ''}`;
  return followRun(ctx, live.run.runId, { json: o.json, write, why });
}

/** Stderr and plain lines before the units run: the preparation, the preflight, a hint. */
function showPreparation(session: RunSession, o: ForegroundOptions, write: (l: string) => void) {
  void waitForPreparation(session);
  if (o.json) return;
  const off = session.subscribe((_state, ev) => {
    if (ev.type !== 'preflight') return;
    off();
    write(`${formatDoctor(ev.report)}\n`);
  });
  if (!o.background && !process.stdout.isTTY) {
    process.stderr.write(
      'stdout is not a terminal: printing plain lines (use --json for machine-readable output)\n',
    );
  }
}

/**
 * Supervises the run in this process, for scripts, cron, CI and systemd (`run --json`, or
 * plain lines when stdout is not a terminal): SIGINT / SIGTERM stop it in order (exit 130 /
 * 143; a second signal stops it at once), SIGHUP is ignored, and a closed stdout stops the
 * writing, not the run. When another process already supervises the database's live run,
 * follows that run instead and exits with its code.
 */
export async function superviseInForeground(
  ctx: Context,
  g: GlobalOptions,
  o: ForegroundOptions,
): Promise<number> {
  const lines = stdoutLines();
  // Plain lines in ASCII outside a UTF-8 locale; NDJSON as it is.
  const write = (l: string) => lines.write(o.json ? l : forTerminal(l));
  const supervised = await superviseRun(ctx, {
    runId: o.runId ?? newRunId(),
    recompute: o.recompute,
    ...(o.hold ? { hold: o.hold } : {}),
    ...(o.notifyWhen ? { notifyWhen: o.notifyWhen } : {}),
    command: workerCommandFor(ctx, g),
    ...(o.logFile ? { logFile: o.logFile } : {}),
  });
  if (supervised.kind === 'taken') return followTheLiveRun(ctx, o, write);
  const session = supervised.session;
  await startRunServices(session, ctx.settings, (l) => process.stderr.write(`${l}\n`));
  interceptSignals((signal, count) => {
    if (signal === 'SIGHUP') return 'ignored';
    if (count > 2) return 'default';
    void session.stop(count === 1 ? 'graceful' : 'now', SIGNAL_EXIT[signal]);
    return 'handled';
  });
  const stopAsked = () => void session.stop('graceful', 130);
  o.stopSignal?.addEventListener('abort', stopAsked, { once: true });
  if (o.stopSignal?.aborted) stopAsked();
  const off = () => o.stopSignal?.removeEventListener('abort', stopAsked);
  session.done.then(off, off);
  if (o.show) return o.show(session);
  showPreparation(session, o, write);
  return reportRun(session, {
    json: o.json,
    write,
    snapshotMs: ctx.settings.run.snapshotSeconds * 1000,
    logFile: session.logFile,
  });
}

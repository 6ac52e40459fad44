import type { Context } from '../../db/context.js';
import { stdoutLines } from '../../orchestrator/headless/safeStdout.js';
import { waitForLiveRun } from '../../orchestrator/live/liveRun.js';
import { newRunId } from '../../orchestrator/live/runRecord.js';
import { superviseRun } from '../../orchestrator/run/superviseRun.js';
import { forTerminal } from '../../orchestrator/text/charset.js';
import type { TrackName } from '../../tracks/protocol/events.js';
import { EXIT, UserError } from '../../config/userError.js';
import type { GlobalOptions } from '../context.js';
import { interceptSignals, SIGNAL_EXIT } from '../shutdown.js';
import { formatDoctor } from '../actions/doctor.js';
import { followRun, reportRun } from './follow.js';
import { waitForPreparation } from './preparation.js';
import { workerCommandFor } from './workers.js';

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
  o: {
    readonly json: boolean;
    readonly recompute: ReadonlySet<TrackName>;
    readonly runId?: string;
    /** Tracks this run leaves for a later one (`run --follow`). */
    readonly hold?: ReadonlySet<TrackName>;
    /** The background supervisor's own log: it neither follows another run nor hints. */
    readonly logFile?: string;
    readonly background?: boolean;
  },
): Promise<number> {
  const lines = stdoutLines();
  // Plain lines in ASCII outside a UTF-8 locale; NDJSON as it is.
  const out = { write: (l: string) => lines.write(o.json ? l : forTerminal(l)) };
  const supervised = await superviseRun(ctx, {
    runId: o.runId ?? newRunId(),
    recompute: o.recompute,
    ...(o.hold ? { hold: o.hold } : {}),
    command: workerCommandFor(ctx, g),
    ...(o.logFile ? { logFile: o.logFile } : {}),
  });
  if (supervised.kind === 'taken') {
    if (o.background) {
      out.write('another run is live in this database: this supervisor started nothing\n');
      return EXIT.ok;
    }
    const live = await waitForLiveRun(ctx.db.withPgClient, { timeoutMs: 60_000 });
    if (live.kind !== 'live' && live.kind !== 'reconnecting')
      throw new UserError('another run holds the database but never recorded itself', EXIT.failed);
    return followRun(ctx, live.run.runId, {
      json: o.json,
      write: out.write,
      why: 'a run is already live in this database',
    });
  }
  const session = supervised.session;
  interceptSignals((signal, count) => {
    if (signal === 'SIGHUP') return 'ignored';
    if (count > 2) return 'default';
    void session.stop(count === 1 ? 'graceful' : 'now', SIGNAL_EXIT[signal]);
    return 'handled';
  });
  // What it does before the units run, on stderr; in plain lines, the preflight's report.
  void waitForPreparation(session);
  if (!o.json) {
    const off = session.subscribe((_state, ev) => {
      if (ev.type !== 'preflight') return;
      off();
      out.write(`${formatDoctor(ev.report)}\n`);
    });
  }
  if (!o.json && !o.background && !process.stdout.isTTY) {
    process.stderr.write(
      'stdout is not a terminal: printing plain lines (use --json for machine-readable output)\n',
    );
  }
  return reportRun(session, {
    json: o.json,
    write: out.write,
    snapshotMs: ctx.settings.run.snapshotSeconds * 1000,
    logFile: session.logFile,
  });
}

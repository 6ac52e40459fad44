import type { Context } from '../../db/context.js';
import { stdoutLines } from '../../orchestrator/headless/safeStdout.js';
import { RunFollower } from '../../orchestrator/live/followRun.js';
import type { ControlAction } from '../../orchestrator/live/controlChannel.js';
import { TRACK_ORDER } from '../../orchestrator/state/runState.js';
import { isLive } from '../../orchestrator/state/trackMachine.js';
import type { TrackName } from '../../tracks/protocol/events.js';
import type { DashboardControls, QuitReason } from '../../ui/Dashboard.js';
import { ringWhenEnded } from '../../ui/endAlert.js';
import { loadDashboard } from '../../ui/loadDashboard.js';
import { EXIT } from '../../config/userError.js';
import { formatDoctor } from '../actions/doctor.js';
import { interceptSignals, SIGNAL_EXIT } from '../shutdown.js';
import { dropKeysUntilExit } from './dropKeys.js';
import { reportRun } from './follow.js';
import { waitForPreparation } from './preparation.js';
import { forTerminal } from '../../orchestrator/text/charset.js';

/** The dashboard's keys as commands of the run's control channel. */
export function controlsOf(run: RunFollower): DashboardControls {
  const send = (action: ControlAction, track: TrackName | null) => {
    // Unreachable database: the view says so in its status line; the key did nothing.
    void run.send(action, track).catch(() => {});
  };
  return {
    togglePause: (t) => send(run.getState().tracks[t].status === 'paused' ? 'resume' : 'pause', t),
    togglePauseAll: () => {
      const s = run.getState();
      const live = TRACK_ORDER.filter((k) => isLive(s.tracks[k].status));
      const allPaused = live.length > 0 && live.every((k) => s.tracks[k].status === 'paused');
      send(allPaused ? 'resume' : 'pause', null);
    },
    restart: (t) => send('restart', t),
    addWorker: (t) => send('add_worker', t),
    removeWorker: (t) => send('remove_worker', t),
    retryFailed: (t) => send('retry', t),
    stopRun: () => send('stop', null),
  };
}

/**
 * A view of the run `runId`: on a terminal, its progress while it prepares and then the
 * live dashboard, whose keys control the run; otherwise plain lines (or NDJSON). Leaving
 * detaches (the run goes on): exit 0; a run that ended while watched gives its exit code.
 */
export async function attachView(
  ctx: Context,
  runId: string,
  o: {
    readonly dashboard: boolean;
    readonly json?: boolean;
    /** No bell or desktop notification when the run ends. */
    readonly quiet?: boolean;
  },
): Promise<number> {
  const run = await RunFollower.open(ctx.db, runId);
  try {
    if (!o.dashboard) {
      // A signal ends this view at once (130 / 143), the run goes on: the follower lets go
      // of its connections first, so that the cleanups can close the pool.
      interceptSignals(() => {
        run.close();
        return 'default';
      });
      const out = stdoutLines();
      const json = o.json === true;
      return await reportRun(run, {
        json,
        write: (l) => out.write(json ? l : forTerminal(l)),
        snapshotMs: ctx.settings.run.snapshotSeconds * 1000,
      });
    }
    const prepared = await waitForPreparation(run);
    if (prepared.phase !== 'running') {
      // It ended before any unit ran: a preflight problem, or stopped while preparing.
      if (prepared.preflight && !prepared.preflight.ok)
        process.stdout.write(forTerminal(`${formatDoctor(prepared.preflight)}\n`));
      else
        process.stderr.write(
          forTerminal(`run ${runId} ended: ${prepared.end?.message ?? prepared.lost}\n`),
        );
      return prepared.end?.exitCode ?? EXIT.failed;
    }
    return await dashboard(ctx, run, o.quiet === true);
  } finally {
    run.close();
  }
}

async function dashboard(ctx: Context, run: RunFollower, quiet: boolean): Promise<number> {
  const { renderDashboard } = await loadDashboard();
  let leave!: (reason: QuitReason | NodeJS.Signals) => void;
  const left = new Promise<QuitReason | NodeJS.Signals>((r) => {
    leave = r;
  });
  const ui = renderDashboard(run, controlsOf(run), ctx.db.description, leave);
  // The bell and desktop notification when the run ends (zero-width: Ink's frame stands).
  const offAlert = quiet ? () => {} : ringWhenEnded(run, (b) => process.stdout.write(b));
  // A hang-up (the SSH link dropped) or SIGTERM closes this view only: the run goes on.
  interceptSignals((signal) => {
    leave(signal);
    return 'handled';
  });
  // An error that closes the dashboard ends this view; its message lands on the normal screen.
  const why = await Promise.race([left, ui.closed.then(() => left)]);
  offAlert();
  if (why === 'SIGHUP') {
    // The terminal is gone: nothing more can be drawn on it (the exit leaves its alternate screen).
    return SIGNAL_EXIT.SIGHUP!;
  }
  ui.unmount();
  // The summary goes on the normal screen, under what the shell showed before the dashboard.
  await ui.closed;
  dropKeysUntilExit();
  const s = run.getState();
  // The lines left on the shell: what became of the run, then how to see its report (on a
  // line of its own: together they would wrap mid-word at 80 columns).
  const report = `report: bqx-monitor report ${run.runId}`;
  if (why === 'ended' && s.end) {
    process.stdout.write(
      forTerminal(
        `run ${run.runId} ${s.end.status}${s.end.message ? `: ${s.end.message}` : ''} (exit ${s.end.exitCode})\n${report}\n`,
      ),
    );
    return s.end.exitCode;
  }
  if (why === 'ended' && s.lost) {
    process.stdout.write(
      forTerminal(`run ${run.runId} stopped unexpectedly: ${s.lost}\n${report}\n`),
    );
    return EXIT.failed;
  }
  process.stdout.write(
    forTerminal(
      `detached; run ${run.runId} goes on\nwatch again: bqx-monitor attach · stop it: bqx-monitor stop · ${report}\n`,
    ),
  );
  return why === 'detach' ? EXIT.ok : (SIGNAL_EXIT[why] ?? EXIT.ok);
}

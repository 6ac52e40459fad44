import type { Context } from '../../db/context.js';
import { RunFollower } from '../../orchestrator/live/followRun.js';
import type { RunSession } from '../../orchestrator/run/superviseRun.js';
import type { RunOutcome } from '../../orchestrator/state/events.js';
import type { RunFeed } from '../../orchestrator/state/runFeed.js';
import { forTerminal } from '../../orchestrator/text/charset.js';
import type { WaitingScreen } from '../../ui/FollowWaiting.js';
import type { QuitReason } from '../../ui/Dashboard.js';
import { alertSequence, ringWhenEnded } from '../../ui/endAlert.js';
import { loadDashboard, loadFollowWaiting } from '../../ui/loadDashboard.js';
import { formatDoctor } from '../actions/doctor.js';
import type { GlobalOptions } from '../context.js';
import { controlsOf } from './attach.js';
import { reportRun } from './follow.js';
import { type FollowView, lineView } from './following.js';
import { superviseInForeground } from './foreground.js';
import { waitForPreparation } from './preparation.js';

/** What the dashboard's stderr lines become while a screen is up: kept, shown after it. */
const HELD_LINES = 200;

/**
 * Holds what is written to stderr (the supervisor's log lines: notices sent, partitions
 * analyzed) while a screen is drawn on the terminal, where it would tear the frame; the
 * lines are written, the last `HELD_LINES`, once the screen is gone.
 */
function holdStderr(): () => void {
  const held: string[] = [];
  const write = process.stderr.write.bind(process.stderr);
  process.stderr.write = ((chunk: string | Uint8Array) => {
    held.push(typeof chunk === 'string' ? chunk : Buffer.from(chunk).toString());
    if (held.length > HELD_LINES) held.shift();
    return true;
  }) as typeof process.stderr.write;
  let released = false;
  return () => {
    if (released) return;
    released = true;
    process.stderr.write = write;
    for (const l of held) write(l);
  };
}

/** The run's feed as far as the bell goes: its end rings only when the follow tells of it. */
function toldEnds(feed: RunFeed, notifyWhen: (s: RunOutcome) => boolean): RunFeed {
  return {
    getState: () => feed.getState(),
    subscribe: (fn) =>
      feed.subscribe((s, ev) => {
        if (s.end && !notifyWhen(s.end.status)) return;
        fn(s, ev);
      }),
  };
}

/**
 * `run --follow` on a terminal: each run on the dashboard (its keys act on it as on any
 * run; `d` leaves the dashboard, the follow goes on in plain lines), and between runs a
 * screen with the last run's outcome and the waiting line, redrawn at each check; `q` there
 * (confirmed) ends the follow. The bell rings for the runs the follow tells of and for its
 * end (not with `--quiet`).
 */
export async function dashboardView(
  ctx: Context,
  g: GlobalOptions,
  o: { readonly quiet: boolean },
): Promise<FollowView> {
  const [{ renderDashboard }, { renderFollowWaiting }] = await Promise.all([
    loadDashboard(),
    loadFollowWaiting(),
  ]);
  const lines = lineView(ctx, g, false);
  const userStop = new AbortController();
  const out = (l: string) => process.stdout.write(forTerminal(l));
  let detached = false;
  let lastRun = 'no run yet';
  let screen: { ui: WaitingScreen; release: () => void } | undefined;
  const closeWaiting = async () => {
    if (!screen) return;
    const { ui, release } = screen;
    screen = undefined;
    ui.unmount();
    await ui.closed.catch(() => {});
    release();
  };

  /** One run on the dashboard until it ends (or the user leaves the dashboard). */
  const showRun = async (
    session: RunSession,
    notifyWhen: (s: RunOutcome) => boolean,
  ): Promise<number> => {
    const prepared = await waitForPreparation(session);
    if (prepared.phase !== 'running') {
      if (prepared.preflight && !prepared.preflight.ok)
        out(`${formatDoctor(prepared.preflight)}\n`);
      const end = await session.done;
      lastRun = `run ${session.runId} ${end.status}: ${end.message ?? ''} (exit ${end.exitCode})`;
      return end.exitCode;
    }
    const follower = await RunFollower.open(ctx.db, session.runId);
    const release = holdStderr();
    try {
      let leave!: (r: QuitReason) => void;
      const left = new Promise<QuitReason>((r) => {
        leave = r;
      });
      const ui = renderDashboard(session, controlsOf(follower), ctx.db.description, leave);
      const offAlert = o.quiet ? () => {} : ringWhenEnded(toldEnds(session, notifyWhen), out);
      const why = await Promise.race([left, session.done.then(() => 'done' as const)]);
      ui.unmount();
      await ui.closed.catch(() => {});
      offAlert();
      if (why === 'detach') {
        detached = true;
        release();
        out(`left the dashboard: run ${session.runId} and the follow go on in plain lines\n`);
        const write = (l: string) => process.stdout.write(forTerminal(l));
        const snapshotMs = ctx.settings.run.snapshotSeconds * 1000;
        return await reportRun(session, { json: false, write, snapshotMs });
      }
      const end = await session.done;
      const why2 = end.message ? `: ${end.message}` : '';
      lastRun = `run ${session.runId} ${end.status}${why2} (exit ${end.exitCode}) · report: bqx-monitor report ${session.runId}`;
      return end.exitCode;
    } finally {
      release();
      follower.close();
    }
  };

  return {
    stopped: userStop.signal,
    async cycle(run) {
      if (detached) return lines.cycle(run);
      await closeWaiting();
      return superviseInForeground(ctx, g, {
        json: false,
        ...run,
        show: (session) => showRun(session, run.notifyWhen),
      });
    },
    waiting(w) {
      if (detached) return lines.waiting(w);
      const props = { database: ctx.db.description, lastRun, waiting: w };
      if (screen) screen.ui.update(props);
      else {
        const release = holdStderr();
        screen = { ui: renderFollowWaiting({ ...props, onQuit: () => userStop.abort() }), release };
      }
    },
    async ended(end) {
      await closeWaiting();
      if (detached) return;
      out(`${lastRun}\n`);
      const words = `the follow stopped (exit ${end.exitCode}) after ${end.cycles} cycle(s)`;
      out(`${words}\n`);
      if (end.betweenRuns && !o.quiet)
        out(alertSequence('bqx-monitor', words, Boolean(process.env['TMUX'])));
    },
  };
}

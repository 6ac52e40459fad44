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
import type { FollowEnd } from '../../orchestrator/run/follow.js';
import type { Waiting } from '../../orchestrator/text/waitingLine.js';
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

type Screens = [
  Awaited<ReturnType<typeof loadDashboard>>,
  Awaited<ReturnType<typeof loadFollowWaiting>>,
];
type CycleRun = Parameters<FollowView['cycle']>[0];

const out = (l: string) => process.stdout.write(forTerminal(l));

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
  const screens: Screens = await Promise.all([loadDashboard(), loadFollowWaiting()]);
  return new FollowDashboard(ctx, g, o.quiet, screens);
}

class FollowDashboard implements FollowView {
  private readonly userStop = new AbortController();
  readonly stopped = this.userStop.signal;
  private readonly lines: FollowView;
  /** The user left a run's dashboard: plain lines from then on. */
  private detached = false;
  private lastRun = 'no run yet';
  private screen: { ui: WaitingScreen; release: () => void } | undefined;

  constructor(
    private readonly ctx: Context,
    private readonly g: GlobalOptions,
    private readonly quiet: boolean,
    private readonly screens: Screens,
  ) {
    this.lines = lineView(ctx, g, false);
  }

  async cycle(run: CycleRun): Promise<number> {
    if (this.detached) return this.lines.cycle(run);
    await this.closeWaiting();
    return superviseInForeground(this.ctx, this.g, {
      json: false,
      ...run,
      show: (session) => this.showRun(session, run.notifyWhen),
    });
  }

  waiting(w: Waiting): void {
    if (this.detached) {
      this.lines.waiting(w);
      return;
    }
    const props = { database: this.ctx.db.description, lastRun: this.lastRun, waiting: w };
    if (this.screen) {
      this.screen.ui.update(props);
      return;
    }
    const release = holdStderr();
    const onQuit = () => this.userStop.abort();
    this.screen = { ui: this.screens[1].renderFollowWaiting({ ...props, onQuit }), release };
  }

  async ended(end: FollowEnd & { readonly cycles: number }): Promise<void> {
    await this.closeWaiting();
    if (this.detached) return;
    out(`${this.lastRun}\n`);
    const words = `the follow stopped (exit ${end.exitCode}) after ${end.cycles} cycle(s)`;
    out(`${words}\n`);
    if (end.betweenRuns && !this.quiet)
      out(alertSequence('bqx-monitor', words, Boolean(process.env['TMUX'])));
  }

  private async closeWaiting(): Promise<void> {
    if (!this.screen) return;
    const { ui, release } = this.screen;
    this.screen = undefined;
    ui.unmount();
    await ui.closed.catch(() => {});
    release();
  }

  /** One run on the dashboard until it ends (or the user leaves the dashboard). */
  private async showRun(
    session: RunSession,
    notifyWhen: (s: RunOutcome) => boolean,
  ): Promise<number> {
    const prepared = await waitForPreparation(session);
    if (prepared.phase !== 'running') {
      if (prepared.preflight && !prepared.preflight.ok)
        out(`${formatDoctor(prepared.preflight)}\n`);
      return this.outcome(session);
    }
    const follower = await RunFollower.open(this.ctx.db, session.runId);
    const release = holdStderr();
    try {
      const why = await this.dashboard(session, follower, notifyWhen);
      if (why !== 'detach') return await this.outcome(session);
      this.detached = true;
      release();
      out(`left the dashboard: run ${session.runId} and the follow go on in plain lines\n`);
      const snapshotMs = this.ctx.settings.run.snapshotSeconds * 1000;
      return await reportRun(session, { json: false, write: out, snapshotMs });
    } finally {
      release();
      follower.close();
    }
  }

  /** The dashboard of `session` until the run ends or the user leaves it. */
  private async dashboard(
    session: RunSession,
    follower: RunFollower,
    notifyWhen: (s: RunOutcome) => boolean,
  ): Promise<QuitReason | 'done'> {
    let leave!: (r: QuitReason) => void;
    const left = new Promise<QuitReason>((r) => {
      leave = r;
    });
    const { renderDashboard } = this.screens[0];
    const ui = renderDashboard(session, controlsOf(follower), this.ctx.db.description, leave);
    const offAlert = this.quiet ? () => {} : ringWhenEnded(toldEnds(session, notifyWhen), out);
    const why = await Promise.race([left, session.done.then(() => 'done' as const)]);
    ui.unmount();
    await ui.closed.catch(() => {});
    offAlert();
    return why;
  }

  /** The run's exit code, its outcome kept for the waiting screen. */
  private async outcome(session: RunSession): Promise<number> {
    const end = await session.done;
    const why = end.message ? `: ${end.message}` : '';
    const report = `report: bqx-monitor report ${session.runId}`;
    this.lastRun = `run ${session.runId} ${end.status}${why} (exit ${end.exitCode}) · ${report}`;
    return end.exitCode;
  }
}

import os from 'node:os';
import { EXIT } from '../../config/userError.js';
import { sleep } from '../../db/connection/sleep.js';
import type { Context } from '../../db/context.js';
import { type FollowRow, liveFollows } from '../../orchestrator/live/followRows.js';
import { forTerminal } from '../../orchestrator/text/charset.js';
import { waitingLine } from '../../orchestrator/text/waitingLine.js';
import { attachView } from './attach.js';

/** A live `run --follow` of the database waiting between its runs (any host), if one is. */
export async function waitingFollow(ctx: Context): Promise<FollowRow | undefined> {
  const follows = await ctx.db.withPgClient((c) => liveFollows(c, os.hostname()));
  return follows.find((f) => f.waiting !== undefined);
}

/**
 * What a view says when it finds no live run but a follow waiting between its runs: the
 * waiting line, and how to reach its next run (no run is started: it would race the follow).
 */
function waitingFollowNote(f: FollowRow): string {
  const last = f.lastRunId ? `; its last run: ${f.lastRunId}` : '';
  return forTerminal(
    `a run --follow (pid ${f.pid} on ${f.host}) waits between its runs${last}\n` +
      `${f.waiting ? waitingLine(f.waiting) : ''}\n` +
      '  its next run starts when the sources change: bqx-monitor attach then\n' +
      '  stop it: bqx-monitor stop\n',
  );
}

/** What became of a waiting follow watched on a terminal. */
export type WatchedFollow =
  | { readonly kind: 'run'; readonly runId: string }
  | { readonly kind: 'left' }
  | { readonly kind: 'ended' };

/**
 * A terminal view of a follow between its runs (`attach`): its waiting line, redrawn from
 * its row a second apart, until its next run starts (that run's id is returned, for its
 * dashboard), the follow ends, or the user leaves (`q`, confirmed; the follow goes on).
 */
async function watchWaitingFollow(ctx: Context, f: FollowRow): Promise<WatchedFollow> {
  const [{ loadFollowWaiting }, { findLiveRun }] = await Promise.all([
    import('../../ui/loadDashboard.js'),
    import('../../orchestrator/live/liveRun.js'),
  ]);
  const { renderFollowWaiting } = await loadFollowWaiting();
  const left = new AbortController();
  const lastRun = (r: FollowRow) =>
    `a run --follow (pid ${r.pid} on ${r.host}) waits${r.lastRunId ? `; its last run: ${r.lastRunId}` : ''}`;
  const props = (r: FollowRow) => ({
    database: ctx.db.description,
    lastRun: lastRun(r),
    waiting: r.waiting ?? { nextCheck: Date.now() },
    viewer: true,
  });
  const ui = renderFollowWaiting({ ...props(f), onQuit: () => left.abort() });
  try {
    for (;;) {
      await sleep(1000, left.signal);
      if (left.signal.aborted) return { kind: 'left' };
      const live = await ctx.db.withPgClient((c) => findLiveRun(c));
      if (live.kind === 'live' || live.kind === 'reconnecting')
        return { kind: 'run', runId: live.run.runId };
      const now = (await ctx.db.withPgClient((c) => liveFollows(c, os.hostname()))).find(
        (r) => r.followId === f.followId,
      );
      if (!now) return { kind: 'ended' };
      if (now.waiting) ui.update(props(now));
    }
  } finally {
    ui.unmount();
    await ui.closed.catch(() => {});
  }
}

/**
 * A view that found no live run but `f` waiting: on a terminal, its waiting screen and then
 * its next run's dashboard; otherwise its waiting note. Returns the exit code.
 */
export async function viewWaitingFollow(
  ctx: Context,
  f: FollowRow,
  o: { readonly dashboard: boolean; readonly quiet: boolean },
): Promise<number> {
  if (!o.dashboard) {
    process.stdout.write(waitingFollowNote(f));
    return EXIT.ok;
  }
  const next = await watchWaitingFollow(ctx, f);
  if (next.kind === 'run') return attachView(ctx, next.runId, o);
  process.stdout.write(
    `${next.kind === 'left' ? 'left; the follow goes on' : 'the follow ended'}\n`,
  );
  return EXIT.ok;
}

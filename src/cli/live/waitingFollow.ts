import os from 'node:os';
import type { Context } from '../../db/context.js';
import { type FollowRow, liveFollows } from '../../orchestrator/live/followRows.js';
import { forTerminal } from '../../orchestrator/text/charset.js';
import { waitingLine } from '../../orchestrator/text/waitingLine.js';

/** A live `run --follow` of the database waiting between its runs (any host), if one is. */
export async function waitingFollow(ctx: Context): Promise<FollowRow | undefined> {
  const follows = await ctx.db.withPgClient((c) => liveFollows(c, os.hostname()));
  return follows.find((f) => f.waiting !== undefined);
}

/**
 * What a view says when it finds no live run but a follow waiting between its runs: the
 * waiting line, and how to reach its next run (no run is started: it would race the follow).
 */
export function waitingFollowNote(f: FollowRow): string {
  const last = f.lastRunId ? `; its last run: ${f.lastRunId}` : '';
  return forTerminal(
    `a run --follow (pid ${f.pid} on ${f.host}) waits between its runs${last}\n` +
      `${f.waiting ? waitingLine(f.waiting) : ''}\n` +
      '  its next run starts when the sources change: bqx-monitor attach then\n' +
      '  stop it: bqx-monitor stop\n',
  );
}

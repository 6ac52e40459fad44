import os from 'node:os';
import type { WithPgClient } from '../../db/connection/pool.js';
import { retryOnLoss } from '../../db/connection/retry.js';
import { sleep } from '../../db/connection/sleep.js';
import {
  beatFollow,
  deleteFollow,
  FOLLOW_BEAT_MS,
  followStopRequested,
  insertFollow,
} from '../live/followRows.js';
import type { Waiting } from '../text/waitingLine.js';

/** What a follow records of itself between beats. */
export interface FollowProgress {
  /** Undefined while one of its runs goes on. */
  readonly waiting: Waiting | undefined;
  readonly cycles: number;
  readonly lastRunId: string | undefined;
}

/** A follow's row in the database, kept while it lives (`holdFollowRow`). */
export interface FollowPresence {
  readonly followId: string;
  /** Aborted once a stop was asked for through the database (`bqx-monitor stop`). */
  readonly stopRequested: AbortSignal;
  /** Records the follow's progress at the next poll (within `pollMs`). */
  update(p: FollowProgress): void;
  /** Stops polling and removes the row (the follow has ended). Never rejects. */
  close(): Promise<void>;
}

/** Which follow, how often its row is read. */
export interface HoldOptions {
  readonly followId: string;
  readonly intervalMs: number;
  /** How often the row is read for a stop (default 1 s). */
  readonly pollMs?: number;
  /** This process's by default (a test plays another host's follow). */
  readonly host?: string;
  readonly pid?: number;
}

/**
 * Records a follow in `bqx_monitor.follows` and keeps its row current: every `pollMs` it
 * reads whether a stop was asked for, and writes its progress (when it changed) and its
 * heartbeat (every `FOLLOW_BEAT_MS`). A lost database is waited out (`retryOnLoss`): the
 * follow goes on, and its row catches up once the database is back.
 */
export async function holdFollowRow(
  withPgClient: WithPgClient,
  o: HoldOptions,
): Promise<FollowPresence> {
  const pollMs = o.pollMs ?? 1000;
  const closing = new AbortController();
  const stop = new AbortController();
  const row = { followId: o.followId, host: o.host ?? os.hostname(), pid: o.pid ?? process.pid };
  await retryOnLoss(() =>
    withPgClient((c) => insertFollow(c, { ...row, intervalMs: o.intervalMs })),
  );
  let progress: FollowProgress = { waiting: undefined, cycles: 0, lastRunId: undefined };
  let dirty = false;
  let lastBeat = Date.now();
  const tick = async () => {
    const beat = dirty || Date.now() - lastBeat >= FOLLOW_BEAT_MS;
    const written = progress;
    dirty = false;
    const asked = await retryOnLoss(
      () =>
        withPgClient((c) =>
          beat ? beatFollow(c, o.followId, written) : followStopRequested(c, o.followId),
        ),
      { signal: closing.signal },
    ).catch((err: unknown) => {
      // Not written (closing, or a failure other than a loss): written at the next poll.
      if (beat) dirty = true;
      if (!closing.signal.aborted) process.stderr.write(`follow: ${(err as Error).message}\n`);
      return false;
    });
    if (beat && !dirty) lastBeat = Date.now();
    if (asked) stop.abort();
  };
  const loop = (async () => {
    while (!closing.signal.aborted) {
      await tick();
      await sleep(pollMs, closing.signal);
    }
  })();
  return {
    followId: o.followId,
    stopRequested: stop.signal,
    update(p) {
      progress = p;
      dirty = true;
    },
    async close() {
      closing.abort();
      await loop;
      await retryOnLoss(() => withPgClient((c) => deleteFollow(c, o.followId)), {
        limitMs: 10_000,
      }).catch(() => {});
    },
  };
}

import type pg from 'pg';
import type { NotifySettings } from '../../config/settings.js';
import { readRun } from '../live/runRecord.js';
import { readRunOutcomes, reportRunOf } from '../report/reportFacts.js';
import { summarizeRun } from '../report/runReport.js';
import type { RunReport } from '../report/reportTypes.js';
import type { RunOutcome } from '../state/events.js';
import type { RunFeed } from '../state/runFeed.js';
import { isLive } from '../state/trackMachine.js';
import { remainingUnits, TRACK_ORDER } from '../state/runState.js';
import { announce } from './announce.js';

/**
 * When the supervisor tells: the three moments a notice goes out (the run's end, a run
 * found lost, a track giving up while others go on), each one call of the supervisor.
 */

/** Where the lines saying what was sent (or why not) go: the supervisor's log. */
export type Say = (line: string) => void;

const sayAll = (say: Say) => (lines: readonly string[]) => {
  for (const l of lines) say(l);
};

/**
 * The run's end: one digest (from the report it just published; without one when it could
 * not be made) to the notify command and the webhook. Resolves within
 * `notify.timeoutSeconds`; never rejects.
 */
export async function notifyRunEnd(
  settings: NotifySettings,
  end: {
    readonly runId: string;
    readonly status: RunOutcome;
    readonly exitCode: number;
    readonly message?: string | undefined;
    readonly report: RunReport | undefined;
  },
  say: Say,
): Promise<void> {
  await announce(settings, { ...end, message: end.message ?? null })
    .then(sayAll(say))
    .catch((err: Error) => say(`could not send the run's notices: ${err.message}`));
}

/**
 * A run found gone (marked lost by this supervisor's claim): its digest, from what it
 * recorded, as for a run's end. Never rejects.
 */
export async function notifyLostRun(
  settings: NotifySettings,
  withPgClient: <T>(fn: (c: pg.ClientBase) => Promise<T>) => Promise<T>,
  runId: string,
  say: Say,
): Promise<void> {
  if (!settings.command && !settings.webhook) return;
  try {
    const report = await withPgClient(async (c) => {
      const run = await readRun(c, runId);
      if (!run) return undefined;
      return summarizeRun({
        run: reportRunOf(run, 'stopped unexpectedly'),
        ...(await readRunOutcomes(c, runId)),
      });
    });
    const message = report?.message ?? 'its supervisor is gone';
    sayAll(say)(
      await announce(settings, { runId, status: 'lost', exitCode: null, message, report }),
    );
  } catch (err) {
    say(`could not send the notices of lost run ${runId}: ${(err as Error).message}`);
  }
}

/**
 * Follows a run and tells when one of its tracks gives up (failed with units left: its
 * workers' crashes ran out) while another still has work: the run's end would come later. A track failing last is told by the run's end.
 * Returns the unsubscribe function.
 */
export function watchTrackGiveUps(feed: RunFeed, settings: NotifySettings, say: Say): () => void {
  if (!settings.command && !settings.webhook) return () => {};
  const told = new Set<string>();
  return feed.subscribe((state, ev) => {
    if (ev.type !== 'track_state' || ev.status !== 'failed' || told.has(ev.track)) return;
    if (state.finished || state.phase === 'stopping' || !state.runId) return;
    // Giving up leaves units undone (crashes ran out); a track that did all its units, some
    // failed, is told by the run's end like the rest.
    if (remainingUnits(state.tracks[ev.track]) === 0) return;
    if (!TRACK_ORDER.some((t) => t !== ev.track && isLive(state.tracks[t].status))) return;
    told.add(ev.track);
    void announce(settings, {
      runId: state.runId,
      status: 'track_failed',
      exitCode: null,
      message: `${ev.track} gave up: ${ev.reason}; the other tracks go on`,
      report: undefined,
    })
      .then(sayAll(say))
      .catch((err: Error) => say(`could not send the track's notices: ${err.message}`));
  });
}

import type { NotifySettings } from '../../config/settings.js';
import type { RunDigest } from './digest.js';
import { sendDigest } from './announce.js';
import type { Say } from './runNotices.js';

/** How a follow (`run --follow`) ended between its runs. */
export interface FollowEndFacts {
  /** Its last run (`BQX_RUN_ID`). */
  readonly lastRunId: string;
  /** Runs it started. */
  readonly cycles: number;
  /** 130 (a stop, SIGINT) or 143 (SIGTERM). */
  readonly exitCode: number;
  readonly host: string;
  readonly startedAt: Date;
  readonly finishedAt: Date;
}

/**
 * The one digest of a follow stopped between its runs (pure): status `stopped`, its last
 * run's id, and a summary saying after how many runs it ended. No tracks nor failures:
 * each run told its own (when it mattered).
 */
export function followEndDigest(f: FollowEndFacts): RunDigest {
  const wallSeconds = Math.round((f.finishedAt.getTime() - f.startedAt.getTime()) / 1000);
  const summary =
    `bqx-monitor follow on ${f.host} stopped (exit ${f.exitCode}) after ${f.cycles} ` +
    `cycle(s); its last run: ${f.lastRunId}`;
  return {
    text: `*${summary}*`,
    summary,
    runId: f.lastRunId,
    status: 'stopped',
    exitCode: f.exitCode,
    message: `the follow ended after ${f.cycles} cycle(s)`,
    host: f.host,
    startedAt: f.startedAt.toISOString(),
    finishedAt: f.finishedAt.toISOString(),
    wallSeconds,
    tracks: [],
    failures: [],
    moreFailures: 0,
    retryCommand: null,
  };
}

/**
 * Tells whoever asked (`notify.command`, `notify.webhook`) that a follow ended between its
 * runs: once, within `notify.timeoutSeconds`; never rejects.
 */
export async function notifyFollowEnd(
  settings: NotifySettings,
  f: FollowEndFacts,
  say: Say,
): Promise<void> {
  if (!settings.command && !settings.webhook) return;
  try {
    for (const line of await sendDigest(settings, followEndDigest(f))) say(line);
  } catch (err) {
    say(`could not send the follow's end notice: ${(err as Error).message}`);
  }
}

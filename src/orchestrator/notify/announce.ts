import type { NotifySettings } from '../../config/settings.js';
import { buildDigest, type DigestInput, type RunDigest } from './digest.js';
import { runNotifyCommand } from './notifyCommand.js';
import { postJson } from './webhook.js';

/** The command that retries a run's failed units: a new run does them again. */
export const RETRY_COMMAND = 'bqx-monitor run --detach';

/** What was sent where, one line each (for the supervisor's log). */
export type Announcement = readonly string[];

/**
 * Tells whoever asked (`notify.command`, `notify.webhook`) about a run's end, or a run found
 * lost, or a track that gave up: one digest, sent to each at once. The command and the
 * webhook (its retries included) share `notify.timeoutSeconds`, so the caller waits no
 * longer than that. Their failures are returned as lines to report, never thrown.
 */
export async function announce(
  settings: NotifySettings,
  input: Omit<DigestInput, 'retryCommand'> & { readonly retryCommand?: string },
): Promise<Announcement> {
  if (!settings.command && !settings.webhook) return [];
  const digest = buildDigest({ retryCommand: RETRY_COMMAND, ...input });
  return sendDigest(settings, digest);
}

/** Sends a digest made already (see `announce`). */
export async function sendDigest(settings: NotifySettings, digest: RunDigest): Promise<string[]> {
  const timeoutMs = settings.timeoutSeconds * 1000;
  const deadline = Date.now() + timeoutMs;
  const what = `${digest.status} notice of run ${digest.runId}`;
  const jobs: Promise<string>[] = [];
  if (settings.command) {
    const name = settings.command[0];
    jobs.push(
      runNotifyCommand(settings.command, digest, timeoutMs).then((r) =>
        r.ok
          ? `notify command ${name}: ${what} sent`
          : `notify command ${name} failed (${r.detail}); the run is not affected`,
      ),
    );
  }
  if (settings.webhook) {
    // Never the URL itself in the log: it often carries a token.
    const host = new URL(settings.webhook).host;
    jobs.push(
      postJson(settings.webhook, digest, { deadline }).then((d) =>
        d.ok
          ? `notify webhook ${host}: ${what} delivered (attempt ${d.attempts})`
          : `notify webhook ${host} not delivered after ${d.attempts} attempt(s): ${d.error}; the run is not affected`,
      ),
    );
  }
  return Promise.all(jobs);
}

import type { RunOutcome } from '../state/events.js';
import { retryOnLoss } from '../../db/connection/retry.js';
import type { Context } from '../../db/context.js';
import type { Supervisor } from '../supervisor/supervisor.js';
import type { Every } from './every.js';
import type { RunLifecycle } from './lifecycle.js';
import type { RunEvents } from './runEvents.js';
import type { SupervisorLink } from './supervisorLink.js';

/** What the parts of a supervised run (prepare, commands, scheduling, finish) share. */
export interface RunParts {
  readonly ctx: Context;
  readonly runId: string;
  readonly host: string;
  readonly events: RunEvents;
  readonly lifecycle: RunLifecycle<Supervisor>;
  /** The session holding the live-run lock; it notices outages and reconnects. */
  readonly link: SupervisorLink;
  /** The run's periodic jobs (cleared when it finishes). */
  readonly every: Every;
  /** Runs `fn`, waiting out database outages (the link reconnects) until it succeeds. */
  reachable<T>(fn: () => Promise<T>): Promise<T>;
  /** A query of the run failed: a connection loss makes the link reconnect. */
  readonly onDbError: (err: unknown) => void;
  /** Whether the run's end is announced (notify.*); absent: always (`run --follow` decides). */
  readonly notifyWhen?: ((status: RunOutcome) => boolean) | undefined;
}

/**
 * Runs `fn`, waiting out database outages until it succeeds: a connection loss tells the
 * link, which reconnects; `fn` is tried again once it is back. Throws once the run can no
 * longer carry on (the database was away too long, the run is not its own any more).
 */
export function reachableThrough(
  link: SupervisorLink,
  lifecycle: RunLifecycle,
): <T>(fn: () => Promise<T>) => Promise<T> {
  return (fn) =>
    retryOnLoss(fn, {
      // The link gives up past the limit; this waits for it, not for a clock of its own.
      firstDelayMs: 250,
      maxDelayMs: 250,
      signal: lifecycle.standDown,
      onLoss: (err) => link.noteFailure(err),
      ready: () => link.lostSince === undefined,
    });
}

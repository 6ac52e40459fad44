/**
 * Exit codes with a meaning: the one table of them is the README's "Exit codes"; every
 * command exits with one of these.
 */
export const EXIT = {
  /** Done: every unit done or no data; a check found nothing wrong; a view detached. */
  ok: 0,
  /** A unit failed (after its retries), a track gave up, the database could not be reached (or was unreachable past the limit), `verify` found a problem. */
  failed: 1,
  /** A usage, configuration or schema-contract (preflight) problem; nothing was run. */
  usage: 2,
  /** `verify`: nothing wrong, but units are still pending. */
  pending: 3,
  /** Stopped by a user: Ctrl-C, `stop`, the dashboard's stop. */
  interrupted: 130,
  /** Stopped by SIGTERM. */
  terminated: 143,
} as const;

/**
 * An error caused by the user's input or environment (bad flag, bad config, schema
 * mismatch, unreachable database): printed as one clear message, never a stack trace.
 */
export class UserError extends Error {
  constructor(
    message: string,
    readonly exitCode: number = EXIT.usage,
  ) {
    super(message);
    this.name = 'UserError';
  }
}

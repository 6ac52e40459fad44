/** Exit codes with a meaning (README: "Exit codes"). */
export const EXIT = {
  ok: 0,
  failed: 1,
  usage: 2,
  interrupted: 130,
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

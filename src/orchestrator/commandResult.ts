/**
 * What a control action (pause, resume, restart, +, -, R, stop) came to: done, or refused
 * with its reason. Every refusal reads `refused: <reason>`, whichever part refused it.
 */
export interface CommandResult {
  readonly ok: boolean;
  /** What the views show in their recent events and the command's acknowledgement. */
  readonly text: string;
}

/** The action was carried out (or started): `text` says what happens now. */
export function accepted(text: string): CommandResult {
  return { ok: true, text };
}

/** The action was not carried out: `reason` says why, without the `refused:` prefix. */
export function refused(reason: string): CommandResult {
  return { ok: false, text: `refused: ${reason}` };
}

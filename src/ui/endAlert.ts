import type { RunFeed } from '../orchestrator/state/runFeed.js';
import type { RunState } from '../orchestrator/state/runState.js';

/**
 * The terminal's alert when the watched run ends: a bell, and a desktop notification that
 * travels through SSH as escape sequences the local terminal turns into one (OSC 9:
 * iTerm2, Windows Terminal, WezTerm, ConEmu; OSC 777: urxvt, foot, Ghostty, VTE). Inside
 * tmux the OSCs are wrapped in its passthrough (`set -g allow-passthrough on` lets them out).
 */

const ESC = '\u001b';
const BEL = '\u0007';

/** Text safe inside an OSC: no control characters; `;` would split OSC 777's fields. */
function oscText(s: string): string {
  return s.replace(/[\u0000-\u001f\u007f-\u009f]/g, ' ').replace(/;/g, ',');
}

/** Wraps an escape sequence in tmux's passthrough (every ESC inside doubled). */
export function tmuxPassthrough(seq: string): string {
  return `${ESC}Ptmux;${seq.replaceAll(ESC, ESC + ESC)}${ESC}\\`;
}

/** The bytes of the alert: bell, OSC 9 and OSC 777 (wrapped for tmux when `inTmux`). */
export function alertSequence(title: string, body: string, inTmux: boolean): string {
  const osc9 = `${ESC}]9;${oscText(`${title}: ${body}`)}${BEL}`;
  const osc777 = `${ESC}]777;notify;${oscText(title)};${oscText(body)}${BEL}`;
  const wrap = inTmux ? tmuxPassthrough : (s: string) => s;
  return BEL + wrap(osc9) + wrap(osc777);
}

/** What the alert says about a run's end (undefined while it has not ended). */
export function endWords(s: RunState): string | undefined {
  const id = s.runId ?? 'the run';
  if (s.end)
    return `run ${id} ${s.end.status === 'interrupted' ? 'stopped' : s.end.status} (exit ${s.end.exitCode})`;
  if (s.lost) return `run ${id} stopped unexpectedly`;
  return undefined;
}

/**
 * Rings once when the run `feed` follows ends (finished or found lost). Returns the
 * unsubscribe function. For a dashboard on a terminal only: never in JSON or piped output.
 */
export function ringWhenEnded(
  feed: RunFeed,
  write: (bytes: string) => void,
  env: Readonly<Record<string, string | undefined>> = process.env,
): () => void {
  let rung = false;
  const ring = (s: RunState) => {
    const words = endWords(s);
    if (rung || words === undefined) return;
    rung = true;
    write(alertSequence('bqx-monitor', words, Boolean(env['TMUX'])));
  };
  // A run already over when the view opens is no news.
  if (endWords(feed.getState()) !== undefined) return () => {};
  const off = feed.subscribe((s) => ring(s));
  return off;
}

import type { KeyDeps, KeyPress } from './keyTypes.js';

/** `r`'s question: `y` restarts the track; any other key answers no. */
export function confirmRestartKey(d: KeyDeps, { input, mode }: KeyPress): void {
  if ((input === 'y' || input === 'Y') && mode.kind === 'confirm-restart')
    d.controls.restart(mode.track);
  d.setMode({ kind: 'main' });
}

/** `q`'s question: detach (the run goes on), stop the run, or stay (any other key). */
export function confirmQuitKey(d: KeyDeps, { input, key, ctrlC }: KeyPress): void {
  if (input === 'd' || input === 'D' || key.return || ctrlC) d.quit('detach');
  else if (input === 's' || input === 'S') {
    d.controls.stopRun();
    // The view leaves by itself once the run has stopped (useLeaveWhenStopped).
    if (d.state().finished) d.quit('ended');
    else d.setMode({ kind: 'stopping' });
  } else d.setMode({ kind: 'main' });
}

/**
 * While the run stops: `d` / Ctrl-C detach (the stop goes on); every other key is read
 * and dropped, so that nothing typed now is left for the shell.
 */
export function stoppingKey(d: KeyDeps, { input, ctrlC }: KeyPress): void {
  if (input === 'd' || input === 'D' || ctrlC) d.quit('detach');
  else if (input === 'q' && d.state().finished) d.quit('ended');
}

/** Switches to the alternate screen (saving the cursor) and puts the cursor top left. */
const ENTER = '\u001b[?1049h\u001b[H';
/** Back to the normal screen as it was, cursor where it was. */
const LEAVE = '\u001b[?1049l';

/** The terminal's alternate screen, held while the dashboard is drawn. */
export interface AlternateScreen {
  /** Back to the screen the shell drew (once; later calls do nothing). */
  leave(): void;
}

/**
 * Draws on the terminal's alternate screen, as htop or less do, so that leaving the
 * dashboard gives the shell back what it showed before, with no frame left in its
 * scrollback. Ink 6 has no option for it. Every way out leaves it: the caller's `leave()`
 * (quit, detach, a signal), the process exiting, and an uncaught exception (left before
 * Node prints it, so that the message stays on the normal screen). Not on a non-terminal.
 */
export function enterAlternateScreen(stdout: NodeJS.WriteStream = process.stdout): AlternateScreen {
  if (!stdout.isTTY) return { leave() {} };
  let inside = true;
  const leave = () => {
    if (!inside) return;
    inside = false;
    process.off('exit', leave);
    process.off('uncaughtExceptionMonitor', leave);
    try {
      stdout.write(LEAVE);
    } catch {
      // A terminal that hung up: there is no screen left to restore.
    }
  };
  stdout.write(ENTER);
  process.on('exit', leave);
  process.on('uncaughtExceptionMonitor', leave);
  return { leave };
}

/**
 * From when the dashboard closes until the process exits (the summary, the cleanups), reads
 * and drops whatever is typed: a key pressed in that moment belongs to the view that just
 * left, not to the shell's next command line. Raw mode, so that a key without Enter is
 * read too; Node restores the terminal's mode at exit. Holds no event loop open.
 */
export function dropKeysUntilExit(stdin: NodeJS.ReadStream = process.stdin): void {
  if (!stdin.isTTY) return;
  try {
    stdin.setRawMode(true);
  } catch {
    return; // the terminal is gone
  }
  stdin.on('data', () => {});
  stdin.resume();
  stdin.unref();
}

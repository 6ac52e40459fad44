import tty from 'node:tty';

/** Which of stdin / stdout / stderr were terminals when the process started. */
const startedOnTty = [0, 1, 2].map((fd) => tty.isatty(fd));

/**
 * Exits with `code`. A process started on a terminal that has since hung up (the SSH link
 * dropped, the tmux session was killed) ends by SIGKILL instead, its cleanups already
 * done: at exit Node restores the mode of the terminals it started on, and on a hung-up
 * one that fails with EIO and aborts the process (an assertion in node::ResetStdio, a
 * core and a kernel-log segfault). Nobody can read that exit code anyway.
 */
export function exitProcess(code: number): never {
  const hungUp = startedOnTty.some((was, fd) => was && !tty.isatty(fd));
  if (hungUp) process.kill(process.pid, 'SIGKILL');
  process.exit(code);
}

/** Writes to stdout or stderr never crash the process (EPIPE, EIO): the readers are gone. */
export function ignoreStdioErrors(): void {
  process.stdout.on('error', () => {});
  process.stderr.on('error', () => {});
}

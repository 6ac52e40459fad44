import { spawn } from 'node:child_process';
import { closeSync, mkdirSync, openSync } from 'node:fs';
import path from 'node:path';

/** A supervisor started in the background. */
export interface Launched {
  readonly pid: number;
  readonly logFile: string;
  /** True once it has exited (as far as this process, its parent, saw). */
  hasExited(): boolean;
  /** Its exit code once it exits (null: killed by a signal). */
  readonly exited: Promise<number | null>;
}

/**
 * Starts a supervisor as its own background process: a new session (setsid) with no
 * controlling terminal, stdin from /dev/null, stdout and stderr appended to its log file.
 * Closing the terminal (SIGHUP to the terminal's session) never reaches it, and this
 * process may exit at once: nothing ties the run to it.
 */
export function launchSupervisor(o: {
  readonly file: string;
  readonly args: readonly string[];
  readonly env: NodeJS.ProcessEnv;
  readonly logFile: string;
}): Launched {
  mkdirSync(path.dirname(o.logFile), { recursive: true, mode: 0o700 });
  const fd = openSync(o.logFile, 'a', 0o600);
  let done = false;
  try {
    const child = spawn(o.file, [...o.args], {
      detached: true,
      stdio: ['ignore', fd, fd],
      env: o.env,
    });
    const exited = new Promise<number | null>((resolve) => {
      child.on('exit', (code) => {
        done = true;
        resolve(code);
      });
      child.on('error', () => {
        done = true;
        resolve(1);
      });
    });
    child.unref();
    return { pid: child.pid ?? -1, logFile: o.logFile, hasExited: () => done, exited };
  } finally {
    closeSync(fd);
  }
}

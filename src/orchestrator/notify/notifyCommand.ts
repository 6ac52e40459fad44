import { execa } from 'execa';
import type { RunDigest } from './digest.js';

/** How the notify command went: `ok`, or why not (its exit, its timeout, its start). */
export interface CommandOutcome {
  readonly ok: boolean;
  readonly detail: string;
}

/** Variables that may carry the database's password: never handed to the command. */
const SECRET_VARIABLES = ['DATABASE_URL', 'PGPASSWORD', 'PGPASSFILE'];

/** The command's environment: the supervisor's, less secrets, plus the run's outcome. */
export function commandEnv(
  digest: RunDigest,
  base: NodeJS.ProcessEnv = process.env,
): Record<string, string> {
  const env: Record<string, string> = {};
  for (const [k, v] of Object.entries(base))
    if (v !== undefined && !SECRET_VARIABLES.includes(k)) env[k] = v;
  env['BQX_RUN_ID'] = digest.runId;
  env['BQX_STATUS'] = digest.status;
  env['BQX_EXIT_CODE'] = digest.exitCode === null ? '' : String(digest.exitCode);
  env['BQX_SUMMARY'] = digest.summary;
  return env;
}

/**
 * Runs `argv` (an executable and its arguments, no shell) with the run's outcome in its
 * environment (`BQX_RUN_ID`, `BQX_STATUS`, `BQX_EXIT_CODE`, `BQX_SUMMARY`), killed after
 * `timeoutMs`. Never throws: a failure is an outcome to report.
 */
export async function runNotifyCommand(
  argv: readonly string[],
  digest: RunDigest,
  timeoutMs: number,
): Promise<CommandOutcome> {
  const [file, ...args] = argv;
  if (!file) return { ok: false, detail: 'no command given' };
  // Its own process group: a timeout ends what it started too (a `sleep` holding its
  // output open would otherwise keep us waiting past the timeout).
  const proc = execa(file, args, {
    env: commandEnv(digest),
    extendEnv: false,
    stdin: 'ignore',
    detached: true,
    reject: false,
    all: true,
    maxBuffer: 64 * 1024,
  });
  let timedOut = false;
  const killGroup = (signal: NodeJS.Signals) => {
    try {
      if (proc.pid) process.kill(-proc.pid, signal);
    } catch {
      // Already gone.
    }
  };
  const timer = setTimeout(() => {
    timedOut = true;
    killGroup('SIGTERM');
    setTimeout(() => killGroup('SIGKILL'), 1000).unref();
  }, timeoutMs);
  const r = await proc;
  clearTimeout(timer);
  if (r.exitCode === 0 && !timedOut) return { ok: true, detail: 'exit 0' };
  const tail = String(r.all ?? '')
    .trim()
    .split('\n')
    .slice(-1)[0];
  const why = timedOut
    ? `timed out after ${timeoutMs / 1000} s`
    : r.failed && r.exitCode === undefined
      ? r.originalMessage || r.shortMessage || 'could not start'
      : `exit ${r.exitCode}`;
  return { ok: false, detail: tail ? `${why}: ${tail}` : why };
}

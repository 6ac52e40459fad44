import { execa, type ResultPromise } from 'execa';
import type { TrackName, WorkerEvent } from '../../tracks/protocol/events.js';
import { LineSplitter } from '../lineSplitter.js';
import { parseLine } from '../parseLine.js';
import type { RunEvent } from '../state/events.js';
import { OutputRate } from './outputRate.js';
import type { StopMode, WorkerCommand } from './supervisorOptions.js';
import { continuedAt, type PauseLog, stoppedAt } from './unitClock.js';

/** One worker process the supervisor started. */
export interface WorkerProcess {
  readonly track: TrackName;
  readonly pid: number;
  readonly proc: ResultPromise;
  /** Set when the supervisor asked it to stop: its exit is then expected. */
  stopping: boolean;
  /** Told to stop at once (`stopAll('now')`). */
  stoppedNow: boolean;
  /** Started on a slot a paused track lent: it gives it back when that track resumes. */
  borrowed: boolean;
  /** Asked to leave after its unit to give a lent slot back (its track may then wait). */
  givingBack: boolean;
  /** Units it started and has not finished (with when they started): exiting with one open is a crash. */
  readonly open: Map<string, number>;
  /** When it was stopped (SIGSTOP) and continued: its paused time is not unit time. */
  stops: PauseLog;
  readonly exited: Promise<void>;
}

/** What the supervisor does with a worker's output and its exit. */
export interface WorkerHooks {
  readonly now: () => number;
  readonly dispatch: (ev: RunEvent) => void;
  /** A parsed event of the worker, before it is published (the supervisor times units). */
  readonly event: (child: WorkerProcess, e: WorkerEvent) => WorkerEvent;
  /** The worker exited (`child` undefined: it never started). */
  readonly exited: (
    child: WorkerProcess | undefined,
    code: number | null,
    signal: string | null,
  ) => void;
}

/** Events that end a unit (a stage of it still held back is then stale). */
const ENDS = new Set<WorkerEvent['type']>([
  'unit_done',
  'unit_empty',
  'unit_failed',
  'unit_interrupted',
]);

/**
 * Starts one worker (execa): its own process group, a stdin pipe as its lifeline (if this
 * process dies, even by SIGKILL, its stdin ends and it finishes its unit and exits), its
 * stdout parsed into events and its stderr into log lines. Returns undefined when it could
 * not even start (its exit is still reported, as a crash).
 */
export function spawnWorker(
  track: TrackName,
  cmd: WorkerCommand,
  graceMs: number,
  hooks: WorkerHooks,
): WorkerProcess | undefined {
  const proc = execa(cmd.file, [...cmd.args], {
    env: cmd.env ?? {},
    extendEnv: true,
    stdin: 'pipe',
    stdout: 'pipe',
    stderr: 'pipe',
    buffer: false,
    reject: false,
    // Its own process group: a Ctrl-C in the terminal reaches this process only, which
    // then stops the workers in order (one SIGTERM each: finish the unit, then exit).
    detached: true,
    forceKillAfterDelay: graceMs,
    windowsHide: true,
  });
  const pid = proc.pid;
  if (pid === undefined) {
    void proc.then((r) => hooks.exited(undefined, r.exitCode ?? null, r.signal ?? null));
    return undefined;
  }
  let resolveExited!: () => void;
  const child: WorkerProcess = {
    track,
    pid,
    proc,
    stopping: false,
    stoppedNow: false,
    borrowed: false,
    givingBack: false,
    open: new Map(),
    stops: [],
    exited: new Promise((r) => {
      resolveExited = r;
    }),
  };
  const flush = pipeOutput(child, hooks);
  void proc.then((r) => {
    // The rest of a line cut short by the exit is still a line.
    flush();
    hooks.exited(child, r.exitCode ?? null, r.signal ?? null);
    resolveExited();
  });
  return child;
}

/**
 * Parses a child's stdout (events, or log lines) and stderr (log lines); returns the
 * function that takes the unterminated last lines once the child has exited.
 */
function pipeOutput(child: WorkerProcess, hooks: WorkerHooks): () => void {
  const { track, pid, proc } = child;
  const out = new LineSplitter();
  const err = new LineSplitter();
  const worker = (event: WorkerEvent) =>
    hooks.dispatch({ type: 'worker_event', at: hooks.now(), track, pid, event });
  const log = (stream: 'stdout' | 'stderr') => (text: string) =>
    hooks.dispatch({ type: 'worker_log', at: hooks.now(), track, pid, stream, text });
  // Each stream its own budget: a library chatty on stdout does not hide stderr.
  const outRate = new OutputRate<WorkerEvent>({
    now: hooks.now,
    log: log('stdout'),
    stage: worker,
  });
  const errRate = new OutputRate<WorkerEvent>({
    now: hooks.now,
    log: log('stderr'),
    stage: worker,
  });
  const onOut = (lines: string[]) => {
    for (const line of lines) {
      const p = parseLine(line);
      if (p.kind === 'event') {
        const event = hooks.event(child, p.event);
        if (event.type === 'stage') {
          outRate.stage(event.unit, event);
          continue;
        }
        if (ENDS.has(event.type) && 'unit' in event && event.unit) outRate.unitEnded(event.unit);
        worker(event);
      } else if (p.text !== '') {
        outRate.log(p.text);
      }
    }
  };
  const onErr = (lines: string[]) => {
    for (const text of lines) if (text.trim() !== '') errRate.log(text);
  };
  proc.stdout?.setEncoding('utf8');
  proc.stderr?.setEncoding('utf8');
  proc.stdout?.on('data', (chunk: string) => onOut(out.push(chunk)));
  proc.stderr?.on('data', (chunk: string) => onErr(err.push(chunk)));
  // The child's stdin is only a lifeline; a write error (it exited) is not ours to report.
  proc.stdin?.on('error', () => {});
  return () => {
    onOut(out.end());
    onErr(err.end());
    outRate.close();
    errRate.close();
  };
}

/** Sends a signal, keeping the worker's stopped spans (SIGSTOP / SIGCONT) at time `at`. */
export function signalWorker(c: WorkerProcess, signal: NodeJS.Signals, at: number): void {
  if (signal === 'SIGSTOP') c.stops = stoppedAt(c.stops, at);
  if (signal === 'SIGCONT') c.stops = continuedAt(c.stops, at);
  try {
    process.kill(c.pid, signal);
  } catch {
    // Already gone: its exit is being handled.
  }
}

/**
 * Stops a worker and waits for its exit: `graceful`, it finishes its unit (SIGTERM;
 * execa's SIGKILL after the grace period); `now`, it leaves at once.
 */
export async function stopWorker(c: WorkerProcess, mode: StopMode, at: number): Promise<void> {
  c.stopping = true;
  signalWorker(c, 'SIGCONT', at);
  c.proc.kill('SIGTERM');
  // A second signal: exit at once (the unit's transaction rolls back; its job is retried).
  // Another kind: two SIGTERMs pending at once (a paused worker, a busy one) are one.
  if (mode === 'now') {
    c.stoppedNow = true;
    c.proc.kill('SIGINT');
  }
  await c.exited;
}

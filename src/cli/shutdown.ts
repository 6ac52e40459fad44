import { exitProcess } from './exit.js';

/**
 * Cleanups to run before the process exits (stop the embedded server, close pools),
 * on normal completion and on SIGINT / SIGTERM / SIGHUP alike. Run once, last in first.
 */
const cleanups: Array<() => Promise<void>> = [];
let installed = false;
let running: Promise<void> | undefined;
let interceptor: SignalHandler | undefined;
let received = 0;

/** Registers a cleanup; returns a function that unregisters it. */
export function onShutdown(fn: () => Promise<void>): () => void {
  installSignalHandlers();
  cleanups.push(fn);
  return () => {
    const i = cleanups.indexOf(fn);
    if (i >= 0) cleanups.splice(i, 1);
  };
}

/**
 * How a command answers a signal: `handled` (it did something, e.g. began a graceful stop),
 * `ignored` (nothing happened; it does not count), or `default`: run the cleanups and exit
 * with the signal's code (130, 143, 129). `count` is 1 for the first signal that was not
 * ignored, 2 for the second…
 */
export type SignalHandler = (
  signal: NodeJS.Signals,
  count: number,
) => 'handled' | 'ignored' | 'default';

/**
 * Lets a long-running command (a worker, the supervisor, a view) answer SIGINT / SIGTERM /
 * SIGHUP itself, e.g. to finish the current unit and exit 0, or to ignore a hang-up.
 */
export function interceptSignals(fn: SignalHandler): void {
  installSignalHandlers();
  interceptor = fn;
}

/** True once a shutdown began: errors from work cut short are then expected, not reported. */
export function isShuttingDown(): boolean {
  return running !== undefined;
}

/** Runs every registered cleanup (once), swallowing their errors. */
export function runShutdown(): Promise<void> {
  running ??= (async () => {
    while (cleanups.length > 0) {
      const fn = cleanups.pop()!;
      await fn().catch(() => {});
    }
  })();
  return running;
}

/** The exit code of a process ended by a signal: 128 + its number. */
export const SIGNAL_EXIT: Readonly<Record<string, number>> = {
  SIGINT: 130,
  SIGTERM: 143,
  SIGHUP: 129,
};

function installSignalHandlers(): void {
  if (installed) return;
  installed = true;
  for (const [signal, code] of Object.entries(SIGNAL_EXIT)) {
    process.on(signal, () => {
      const answer = interceptor?.(signal as NodeJS.Signals, received + 1) ?? 'default';
      if (answer === 'ignored') return;
      received++;
      if (answer === 'handled') return;
      void runShutdown().then(() => exitProcess(code));
    });
  }
}

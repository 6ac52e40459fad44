/**
 * Cleanups to run before the process exits (stop the embedded server, close pools),
 * on normal completion and on SIGINT / SIGTERM / SIGHUP alike. Run once, last in first.
 */
const cleanups: Array<() => Promise<void>> = [];
let installed = false;
let running: Promise<void> | undefined;
let interceptor: ((signal: NodeJS.Signals) => void) | undefined;
let intercepted = false;

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
 * Lets a long-running command (a worker, the supervisor) handle the first SIGINT / SIGTERM /
 * SIGHUP itself, e.g. to finish the current unit and exit 0. A second signal exits at once
 * with the signal's code (cleanups still run).
 */
export function interceptSignals(fn: (signal: NodeJS.Signals) => void): void {
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

const SIGNAL_EXIT: Record<string, number> = { SIGINT: 130, SIGTERM: 143, SIGHUP: 129 };

function installSignalHandlers(): void {
  if (installed) return;
  installed = true;
  for (const [signal, code] of Object.entries(SIGNAL_EXIT)) {
    process.on(signal, () => {
      if (interceptor && !intercepted) {
        intercepted = true;
        interceptor(signal as NodeJS.Signals);
        return;
      }
      void runShutdown().then(() => process.exit(code));
    });
  }
}

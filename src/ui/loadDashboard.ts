import v8 from 'node:v8';

/** Variables by which Ink decides, once at import, that it runs in CI. */
const CI_VARIABLES = ['CI', 'CONTINUOUS_INTEGRATION'] as const;

/**
 * How V8 runs a process that will draw the dashboard, set before Ink loads (the process
 * started with a 1 MB young generation: src/cli/main.ts). Each frame allocates a few MB,
 * Ink rebuilding its character grid: in 1 MB a frame's objects were still alive at the
 * next collection, got promoted, and only full collections found them dead, so those ran
 * all the time; the young generation may grow again. And no optimizing compiler: at one
 * frame every 2 s its compiles on helper threads cost more than the faster code saves
 * (baseline code draws a warm frame about as fast). Measured: docs/performance.md, "The
 * view".
 */
function tuneV8ForFrames(): void {
  v8.setFlagsFromString('--semi-space-growth-factor=2');
  v8.setFlagsFromString('--max-opt=1');
}

/**
 * Loads the dashboard (Ink, React) only when a terminal will show it. Ink draws nothing
 * but the last frame when `CI` or `CONTINUOUS_INTEGRATION` is set, which it reads once,
 * when it is imported; a user who watches a terminal wants the live screen whatever
 * their environment says, so those variables are hidden while Ink loads and restored
 * right after (the workers still see them).
 */
export function loadDashboard(): Promise<typeof import('./runDashboard.js')> {
  tuneV8ForFrames();
  return withoutCi(() => import('./runDashboard.js'));
}

/** Loads the screen a `run --follow` shows between its runs (Ink, as `loadDashboard`). */
export function loadFollowWaiting(): Promise<typeof import('./FollowWaiting.js')> {
  tuneV8ForFrames();
  return withoutCi(() => import('./FollowWaiting.js'));
}

async function withoutCi<T>(load: () => Promise<T>): Promise<T> {
  const saved = CI_VARIABLES.map((name) => [name, process.env[name]] as const);
  for (const [name] of saved) delete process.env[name];
  try {
    return await load();
  } finally {
    for (const [name, value] of saved) if (value !== undefined) process.env[name] = value;
  }
}

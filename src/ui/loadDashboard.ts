/** Variables by which Ink decides, once at import, that it runs in CI. */
const CI_VARIABLES = ['CI', 'CONTINUOUS_INTEGRATION'] as const;

/**
 * Loads the dashboard (Ink, React) only when a terminal will show it. Ink draws nothing
 * but the last frame when `CI` or `CONTINUOUS_INTEGRATION` is set, which it reads once,
 * when it is imported; a user who watches a terminal wants the live screen whatever
 * their environment says, so those variables are hidden while Ink loads and restored
 * right after (the workers still see them).
 */
export function loadDashboard(): Promise<typeof import('./runDashboard.js')> {
  return withoutCi(() => import('./runDashboard.js'));
}

/** Loads the screen a `run --follow` shows between its runs (Ink, as `loadDashboard`). */
export function loadFollowWaiting(): Promise<typeof import('./FollowWaiting.js')> {
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

import { type Instance, render } from 'ink';
import { Dashboard, type DashboardControls } from './Dashboard.js';
import { ThemeContext, themeFor } from './theme.js';
import type { RunFeed } from './useRunFeed.js';

/**
 * Opens the dashboard on the terminal. Ctrl-C is a key here (raw mode), handled by the
 * dashboard's quit prompt; Ink restores the cursor and the terminal mode on unmount.
 */
export function renderDashboard(
  session: RunFeed & DashboardControls,
  database: string,
  onQuit: () => void,
  env: Readonly<Record<string, string | undefined>> = process.env,
): Instance {
  return render(
    <ThemeContext.Provider value={themeFor(env)}>
      <Dashboard feed={session} controls={session} database={database} onQuit={onQuit} />
    </ThemeContext.Provider>,
    { exitOnCtrlC: false, patchConsole: true, maxFps: 10 },
  );
}

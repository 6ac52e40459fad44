import { type Instance, render } from 'ink';
import type { RunFeed } from '../orchestrator/state/runFeed.js';
import { Dashboard, type DashboardControls, type QuitReason } from './Dashboard.js';
import { ThemeContext, themeFor } from './theme.js';

/**
 * Opens the dashboard on the terminal. Ctrl-C is a key here (raw mode), handled by the
 * dashboard's leave prompt; Ink restores the cursor and the terminal mode on unmount.
 */
export function renderDashboard(
  feed: RunFeed,
  controls: DashboardControls,
  database: string,
  onQuit: (reason: QuitReason) => void,
  env: Readonly<Record<string, string | undefined>> = process.env,
): Instance {
  return render(
    <ThemeContext.Provider value={themeFor(env)}>
      <Dashboard feed={feed} controls={controls} database={database} onQuit={onQuit} />
    </ThemeContext.Provider>,
    { exitOnCtrlC: false, patchConsole: true, maxFps: 10 },
  );
}

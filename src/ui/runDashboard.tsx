import { render } from 'ink';
import type { RunFeed } from '../orchestrator/state/runFeed.js';
import { enterAlternateScreen } from './alternateScreen.js';
import { Dashboard, type DashboardControls, type QuitReason } from './Dashboard.js';
import { ThemeContext, themeFor } from './theme.js';

/** The dashboard on the terminal. */
export interface DashboardSession {
  /** Closes the dashboard (it also closes itself when the user leaves it). */
  unmount(): void;
  /**
   * Settles once the dashboard is closed and the terminal is back on its normal screen:
   * what is written after it lands under what the shell showed before. Rejects with the
   * error that closed it, if one did.
   */
  readonly closed: Promise<void>;
}

/**
 * Opens the dashboard on the terminal's alternate screen. Ctrl-C is a key here (raw mode),
 * handled by the dashboard's leave prompt; Ink restores the cursor and the terminal mode
 * on unmount.
 */
export function renderDashboard(
  feed: RunFeed,
  controls: DashboardControls,
  database: string,
  onQuit: (reason: QuitReason) => void,
  env: Readonly<Record<string, string | undefined>> = process.env,
): DashboardSession {
  const screen = enterAlternateScreen();
  const ui = render(
    <ThemeContext.Provider value={themeFor(env)}>
      <Dashboard feed={feed} controls={controls} database={database} onQuit={onQuit} />
    </ThemeContext.Provider>,
    { exitOnCtrlC: false, patchConsole: true, maxFps: 10 },
  );
  // Asked for at once: Ink's promise, asked for after its exit, would never settle.
  const closed = ui.waitUntilExit().then(
    () => screen.leave(),
    (err: unknown) => {
      screen.leave();
      throw err;
    },
  );
  return { unmount: () => ui.unmount(), closed };
}

import { Box, useApp } from 'ink';
import { useCallback, useRef } from 'react';
import type { DashboardControls, QuitReason } from './dashboardControls.js';
import { liveWorkers, logTitle, workerLines } from './logWorkers.js';
import { MainScreen } from './MainScreen.js';
import { HELP_LINES, HelpOverlay } from './panels/Footer.js';
import { LogView } from './panels/LogView.js';
import { TRACK_TITLES } from './panels/TrackPanel.js';
import { promptOf } from './prompts.js';
import { useDashboardKeys, useLeaveWhenStopped } from './useDashboardKeys.js';
import { type RunFeed, useRunFeed } from './useRunFeed.js';
import { useTerminalSize } from './useTerminalSize.js';

/** What the keys ask of the run (through its control channel: any attached view can). */
export type { DashboardControls, QuitReason } from './dashboardControls.js';

export interface DashboardProps {
  readonly feed: RunFeed;
  readonly controls: DashboardControls;
  readonly database: string;
  /** Redraw period of the run's state (ms; 2 s by default; keys redraw at once). */
  readonly intervalMs?: number;
  /** Called once when the user leaves the dashboard. */
  readonly onQuit?: (reason: QuitReason) => void;
  /** Terminal size; by default the real terminal's, following resizes. */
  readonly size?: { readonly columns: number; readonly rows: number };
}

/** The live dashboard of a run: its main screen, a track's log, or the help overlay. */
export function Dashboard({ feed, controls, database, intervalMs, onQuit, size }: DashboardProps) {
  const { exit } = useApp();
  const { state, cpuHistory, logs } = useRunFeed(feed, intervalMs);
  const terminal = useTerminalSize();
  const { columns, rows } = size ?? terminal;
  const left = useRef(false);
  const quit = useCallback(
    (reason: QuitReason) => {
      if (left.current) return;
      left.current = true;
      onQuit?.(reason);
      exit();
    },
    [onQuit, exit],
  );
  const keys = { controls, state: () => feed.getState(), logs, rows, quit };
  const { mode, selected } = useDashboardKeys(keys);
  useLeaveWhenStopped(mode, state.finished, quit);
  if (mode.kind === 'log') {
    const title = TRACK_TITLES[mode.track].trim();
    return (
      <LogView
        title={logTitle(title, mode.worker, liveWorkers(state, mode.track))}
        lines={workerLines(logs[mode.track], mode.worker)}
        showPid={mode.worker === undefined}
        offset={mode.offset}
        height={rows - 1}
        filter={mode.filter}
        editing={mode.editing}
      />
    );
  }
  if (mode.kind === 'help') {
    return (
      <Box flexDirection="column" height={Math.min(rows - 1, HELP_LINES.length + 1)}>
        <HelpOverlay />
      </Box>
    );
  }
  const prompt = promptOf(mode, Math.max(40, columns));
  return <MainScreen {...{ state, cpuHistory, database, columns, rows, selected, prompt }} />;
}

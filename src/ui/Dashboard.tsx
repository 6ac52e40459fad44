import { Box, Text, useApp, useStdout } from 'ink';
import { useEffect, useRef, useState } from 'react';
import { hostSummaries, TRACK_ORDER, trackEta } from '../orchestrator/state/runState.js';
import { Footer, HELP_LINES, HelpOverlay } from './panels/Footer.js';
import { Header } from './panels/Header.js';
import { HostsPanel, hostLines } from './panels/HostsPanel.js';
import { LogView } from './panels/LogView.js';
import { Overall } from './panels/Overall.js';
import { RecentEvents } from './panels/RecentEvents.js';
import { RunReport } from './panels/RunReport.js';
import { StatusLine } from './panels/StatusLine.js';
import { SystemPanel, systemLines } from './panels/SystemPanel.js';
import {
  TRACK_TITLES,
  TrackPanel,
  trackDetailLines,
  wantedActivityLines,
} from './panels/TrackPanel.js';
import { budgetRows, MIN_EVENT_LINES } from './layout.js';
import { txt, useTheme } from './theme.js';
import { type Mode, useDashboardKeys } from './useDashboardKeys.js';
import { liveWorkers, logTitle, workerLines } from './logWorkers.js';
import type { DashboardControls, QuitReason } from './dashboardControls.js';
import { type RunFeed, useRunFeed } from './useRunFeed.js';

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

function useTerminalSize(): { columns: number; rows: number } {
  const { stdout } = useStdout();
  const read = () => ({ columns: stdout.columns || 80, rows: stdout.rows || 24 });
  const [size, setSize] = useState(read);
  useEffect(() => {
    const on = () => setSize(read());
    stdout.on('resize', on);
    return () => {
      stdout.off('resize', on);
    };
  });
  return size;
}

/** The prompt line of a mode, if it has one. */
function promptOf(mode: Mode): string | undefined {
  switch (mode.kind) {
    case 'confirm-restart':
      return `Restart ${mode.track}? Its workers finish their unit first; finished units are not redone. (y/n)`;
    case 'confirm-quit':
      return 'Leave: d or Enter detach (the run goes on)  ·  s stop the run (units finish first)  ·  Esc stay';
    case 'stopping':
      return 'Stopping the run: running units finish first…  (d detaches, the stop goes on)';
    default:
      return undefined;
  }
}

/** The live dashboard of a run: system, one panel per track, overall progress, events, keys. */
export function Dashboard({ feed, controls, database, intervalMs, onQuit, size }: DashboardProps) {
  const theme = useTheme();
  const { exit } = useApp();
  const { state, cpuHistory, logs } = useRunFeed(feed, intervalMs);
  const terminal = useTerminalSize();
  const { columns, rows } = size ?? terminal;
  const stateRef = useRef(state);
  stateRef.current = state;
  const quitOnce = useRef(false);
  const quit = (reason: QuitReason) => {
    if (quitOnce.current) return;
    quitOnce.current = true;
    onQuit?.(reason);
    exit();
  };
  const { mode, selected } = useDashboardKeys({
    controls,
    state: () => feed.getState(),
    logs,
    rows,
    quit,
  });

  const width = Math.max(40, columns);
  const ascii = theme.g.barFull === '#';
  if (mode.kind === 'log') {
    return (
      <LogView
        title={logTitle(
          TRACK_TITLES[mode.track].trim(),
          mode.worker,
          liveWorkers(state, mode.track),
        )}
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
        <HelpOverlay ascii={ascii} />
      </Box>
    );
  }
  const system = systemLines(
    {
      system: state.system,
      database: state.database,
      target: database,
      cpuHistory,
      width,
    },
    theme,
  );
  const details = TRACK_ORDER.map((k) =>
    trackDetailLines(state.tracks[k], state.now, trackEta(state, k), width, theme),
  );
  const hosts = hostSummaries(state);
  // Rows of the panels of fixed height: header, system, each track's bar and details,
  // overall, status line, footer. A new panel adds its rows here; activity and events
  // share the rest (layout.ts).
  const fixed = 1 + system.length + details.reduce((n, d) => n + 1 + d.length, 0) + 1 + 1 + 1;
  const wanted = TRACK_ORDER.map((k) => wantedActivityLines(state.tracks[k]));
  // The hosts line: always when workers of other hosts take part; with the one host, only
  // on a row the events could spare.
  const hostsText = hostLines(hosts, width, rows < 32 ? 1 : 3);
  const spare = budgetRows({ rows, fixed, wanted }).events > MIN_EVENT_LINES;
  const hostRows = hosts.length > 1 || spare ? hostsText : [];
  const budget = budgetRows({ rows, fixed: fixed + hostRows.length, wanted });
  const prompt = promptOf(mode);
  return (
    <Box flexDirection="column" width={width}>
      <Header
        width={width}
        runId={state.runId}
        elapsedSeconds={state.startedAt === undefined ? 0 : (state.now - state.startedAt) / 1000}
        now={state.clock}
      />
      <SystemPanel lines={system} />
      {hostRows.length > 0 && <HostsPanel lines={hostRows} width={width} />}
      {TRACK_ORDER.map((k, i) => (
        <TrackPanel
          key={k}
          track={state.tracks[k]}
          now={state.now}
          selected={i === selected}
          width={width}
          details={details[i]!}
          activityLines={budget.activity[i]!}
          showHost={hosts.length > 1}
        />
      ))}
      <Overall state={state} width={width} />
      <StatusLine state={state} width={width} />
      {state.finished && state.report ? (
        <RunReport report={state.report} width={width} lines={budget.events} />
      ) : (
        <RecentEvents events={state.recent} lines={budget.events} />
      )}
      {prompt ? (
        <Text bold inverse={theme.color} wrap="truncate">
          {txt(theme, prompt)}
        </Text>
      ) : (
        <Footer width={width} ascii={ascii} finished={state.finished} />
      )}
    </Box>
  );
}

import { Box, Text } from 'ink';
import { type RunState, TRACK_ORDER } from '../orchestrator/state/runState.js';
import { mainLayout } from './mainLayout.js';
import { Footer } from './panels/Footer.js';
import { Header } from './panels/Header.js';
import { HostsPanel } from './panels/HostsPanel.js';
import { Overall } from './panels/Overall.js';
import { RecentEvents } from './panels/RecentEvents.js';
import { RunReport } from './panels/RunReport.js';
import { StatusLine } from './panels/StatusLine.js';
import { SystemPanel } from './panels/SystemPanel.js';
import { TrackPanel } from './panels/TrackPanel.js';
import { txt, useTheme } from './theme.js';

export interface MainScreenProps {
  readonly state: RunState;
  readonly cpuHistory: readonly number[];
  readonly database: string;
  readonly columns: number;
  readonly rows: number;
  /** The selected track's index in TRACK_ORDER. */
  readonly selected: number;
  /** A question or notice in the footer's place, if one is up. */
  readonly prompt: string | undefined;
}

/** The dashboard's main screen: system, one panel per track, overall, events or report, keys. */
export function MainScreen(p: MainScreenProps) {
  const theme = useTheme();
  const { state } = p;
  const width = Math.max(40, p.columns);
  const { system, details, hosts, hostRows, budget } = mainLayout({ ...p, width }, theme);
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
          selected={i === p.selected}
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
        <RecentEvents events={state.recent} lines={budget.events} width={width} />
      )}
      {p.prompt ? (
        <Text bold inverse={theme.color} wrap="truncate">
          {txt(theme, p.prompt)}
        </Text>
      ) : (
        <Footer width={width} finished={state.finished} />
      )}
    </Box>
  );
}

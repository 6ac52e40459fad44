import { Box, Text, useApp, useInput, useStdout } from 'ink';
import { useEffect, useRef, useState } from 'react';
import { TRACK_ORDER } from '../orchestrator/state/runState.js';
import type { TrackName } from '../tracks/protocol/events.js';
import { Footer, HELP_LINES, HelpOverlay } from './panels/Footer.js';
import { Header } from './panels/Header.js';
import { filterLog, LogView } from './panels/LogView.js';
import { Overall, Summary } from './panels/Overall.js';
import { RecentEvents } from './panels/RecentEvents.js';
import { SystemPanel } from './panels/SystemPanel.js';
import { TRACK_TITLES, TrackPanel } from './panels/TrackPanel.js';
import { txt, useTheme } from './theme.js';
import { type RunFeed, useRunFeed } from './useRunFeed.js';

/** What the keys act on (a run session satisfies it). */
export interface DashboardControls {
  togglePause(track: TrackName): void;
  togglePauseAll(): void;
  restart(track: TrackName): Promise<void>;
  /** Graceful stop: workers finish their unit; resolves when nothing runs. */
  stop(): Promise<void>;
}

export interface DashboardProps {
  readonly feed: RunFeed;
  readonly controls: DashboardControls;
  readonly database: string;
  /** Re-render period (ms): at most 10 renders a second by default. */
  readonly intervalMs?: number;
  /** Called once the user has quit and the run has stopped. */
  readonly onQuit?: () => void;
  /** Terminal size; by default the real terminal's, following resizes. */
  readonly size?: { readonly columns: number; readonly rows: number };
}

type Mode =
  | { kind: 'main' }
  | { kind: 'help' }
  | { kind: 'confirm'; action: 'restart' | 'quit'; track: TrackName }
  | { kind: 'log'; track: TrackName; offset: number; filter: string; editing: string | undefined }
  | { kind: 'quitting' };

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

/** The live dashboard: system, one panel per track, overall progress, events, keys. */
export function Dashboard({ feed, controls, database, intervalMs, onQuit, size }: DashboardProps) {
  const theme = useTheme();
  const { exit } = useApp();
  const { state, cpuHistory, logs } = useRunFeed(feed, intervalMs);
  const terminal = useTerminalSize();
  const { columns, rows } = size ?? terminal;
  // Keys read refs, not the last render's state: keys typed faster than the screen redraws
  // (a paste, a slow link) act on what the previous key did.
  const [selected, setSelectedState] = useState(0);
  const selectedRef = useRef(0);
  const setSelected = (f: (s: number) => number) => {
    selectedRef.current = f(selectedRef.current);
    setSelectedState(selectedRef.current);
  };
  const [mode, setModeState] = useState<Mode>({ kind: 'main' });
  const modeRef = useRef<Mode>(mode);
  const setMode = (m: Mode) => {
    modeRef.current = m;
    setModeState(m);
  };
  const working = TRACK_ORDER.some((k) => state.tracks[k].workers.length > 0);

  const quit = () => {
    setMode({ kind: 'quitting' });
    void controls.stop().finally(() => {
      onQuit?.();
      exit();
    });
  };

  useInput((input, key) => {
    const mode = modeRef.current;
    const track = TRACK_ORDER[selectedRef.current]!;
    const ctrlC = key.ctrl && input === 'c';
    if (mode.kind === 'quitting') return;
    if (mode.kind === 'help') {
      setMode({ kind: 'main' });
      return;
    }
    if (mode.kind === 'confirm') {
      if (input === 'y' || input === 'Y') {
        if (mode.action === 'restart') {
          void controls.restart(mode.track);
          setMode({ kind: 'main' });
        } else quit();
      } else if (ctrlC && mode.action === 'quit') quit();
      else setMode({ kind: 'main' });
      return;
    }
    if (mode.kind === 'log') {
      const page = Math.max(1, rows - 3);
      const total = filterLog(logs[mode.track], mode.filter).length;
      if (mode.editing !== undefined) {
        if (key.return) setMode({ ...mode, filter: mode.editing, editing: undefined, offset: 0 });
        else if (key.escape) setMode({ ...mode, editing: undefined });
        else if (key.backspace || key.delete)
          setMode({ ...mode, editing: mode.editing.slice(0, -1) });
        else if (input && !key.ctrl && !key.meta)
          setMode({ ...mode, editing: mode.editing + input });
        return;
      }
      if (key.escape || input === 'q' || input === 'l') setMode({ kind: 'main' });
      else if (key.pageUp)
        setMode({ ...mode, offset: Math.min(Math.max(0, total - page), mode.offset + page) });
      else if (key.pageDown) setMode({ ...mode, offset: Math.max(0, mode.offset - page) });
      else if (key.upArrow || input === 'k')
        setMode({ ...mode, offset: Math.min(Math.max(0, total - page), mode.offset + 1) });
      else if (key.downArrow || input === 'j')
        setMode({ ...mode, offset: Math.max(0, mode.offset - 1) });
      else if (key.home) setMode({ ...mode, offset: Math.max(0, total - page) });
      else if (key.end) setMode({ ...mode, offset: 0 });
      else if (input === '/') setMode({ ...mode, editing: '' });
      else if (ctrlC) setMode({ kind: 'confirm', action: 'quit', track });
      return;
    }
    if (key.upArrow || input === 'k')
      setSelected((s) => (s + TRACK_ORDER.length - 1) % TRACK_ORDER.length);
    else if (key.downArrow || input === 'j') setSelected((s) => (s + 1) % TRACK_ORDER.length);
    else if (input === 'p') controls.togglePause(track);
    else if (input === 'P') controls.togglePauseAll();
    else if (input === 'r') setMode({ kind: 'confirm', action: 'restart', track });
    else if (input === 'l' || key.return)
      setMode({ kind: 'log', track, offset: 0, filter: '', editing: undefined });
    else if (input === '?') setMode({ kind: 'help' });
    else if (input === 'q' || ctrlC) {
      if (working && !state.finished) setMode({ kind: 'confirm', action: 'quit', track });
      else quit();
    }
  });

  const width = Math.max(40, columns);
  const compact = rows < 32 || columns < 110;
  if (mode.kind === 'log') {
    return (
      <LogView
        title={`${TRACK_TITLES[mode.track].trim()} log`}
        lines={logs[mode.track]}
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
        <HelpOverlay ascii={theme.g.barFull === '#'} />
      </Box>
    );
  }
  const activityLines = compact ? 1 : 3;
  const trackHeights = TRACK_ORDER.map(
    (k) =>
      2 + Math.min(activityLines, Math.max(1, state.tracks[k].running.length + (compact ? 0 : 1))),
  );
  const fixed = 1 + 2 + trackHeights.reduce((a, b) => a + b, 0) + 1 + 1 + 1;
  // Never taller than the terminal: the events list takes what is left (one line spare).
  const eventLines = Math.max(0, rows - 1 - fixed);
  const prompt =
    mode.kind === 'confirm'
      ? mode.action === 'restart'
        ? `Restart ${mode.track}? Its workers finish their unit first; finished units are not redone. (y/n)`
        : 'Quit? Running units finish first and no worker is left behind. (y/n)'
      : mode.kind === 'quitting'
        ? 'Stopping: waiting for running units to finish…'
        : undefined;
  return (
    <Box flexDirection="column" width={width}>
      <Header
        width={width}
        runId={state.runId}
        database={database}
        elapsedSeconds={state.startedAt === undefined ? 0 : (state.now - state.startedAt) / 1000}
        now={state.now}
      />
      <SystemPanel
        system={state.system}
        database={state.database}
        cpuHistory={cpuHistory}
        compact={compact}
        width={width}
      />
      {TRACK_ORDER.map((k, i) => (
        <TrackPanel
          key={k}
          track={state.tracks[k]}
          now={state.now}
          selected={i === selected}
          width={width}
          activityLines={trackHeights[i]! - 2}
        />
      ))}
      <Overall state={state} width={width} />
      {state.finished ? <Summary state={state} /> : <Text> </Text>}
      <RecentEvents events={state.recent} lines={eventLines} />
      {prompt ? (
        <Text bold inverse={theme.color} wrap="truncate">
          {txt(theme, prompt)}
        </Text>
      ) : (
        <Footer compact={compact} ascii={theme.g.barFull === '#'} />
      )}
    </Box>
  );
}

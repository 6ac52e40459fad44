import { Box, render, Text, useApp, useInput } from 'ink';
import { useRef, useState } from 'react';
import { type Waiting, waitingLine } from '../orchestrator/text/waitingLine.js';
import { enterAlternateScreen } from './alternateScreen.js';
import { ThemeContext, themeFor, tint, txt, useTheme } from './theme.js';

export interface FollowWaitingProps {
  readonly database: string;
  /** The last run's outcome, one line (`run 2026… complete (exit 0)`). */
  readonly lastRun: string;
  readonly waiting: Waiting;
  /** Called once when the user confirmed leaving: the follow ends (a viewer's: the view). */
  readonly onQuit: () => void;
  /** A view of another process's follow (`attach`): leaving leaves the view only. */
  readonly viewer?: boolean;
}

/** What the screen says of `q`: the follow's own, or a viewer's. */
const WORDS = {
  own: {
    footer: 'q stop following · the next run starts when the sources change',
    prompt: 'Stop following? s or Enter stop (no run is going on)  ·  Esc stay',
  },
  viewer: {
    footer: 'q leave (the follow goes on) · its next run shows here when it starts',
    prompt: 'Leave? d or Enter leave (the follow goes on)  ·  Esc stay',
  },
} as const;

/** The keys that confirm leaving (besides Enter and Ctrl-C); any other one stays. */
const CONFIRM = new Set(['s', 'S', 'y', 'Y', 'q', 'd', 'D']);

/**
 * A `run --follow` between its runs on a terminal: the last run's outcome and the waiting
 * line. `q` (or Ctrl-C) asks, as it does over a run; `s`, `y`, Enter or Ctrl-C confirm.
 */
export function FollowWaiting({ database, lastRun, waiting, onQuit, viewer }: FollowWaitingProps) {
  const theme = useTheme();
  const words = viewer ? WORDS.viewer : WORDS.own;
  const { exit } = useApp();
  const [asking, setAskingState] = useState(false);
  // Read through a ref: keys arriving before the next render act on the last key's mode.
  const askingRef = useRef(false);
  const setAsking = (a: boolean) => {
    askingRef.current = a;
    setAskingState(a);
  };
  useInput((input, key) => {
    const ctrlC = key.ctrl && input === 'c';
    if (!askingRef.current) {
      if (input === 'q' || ctrlC) setAsking(true);
      return;
    }
    if (CONFIRM.has(input) || key.return || ctrlC) {
      onQuit();
      exit();
    } else setAsking(false);
  });
  return (
    <Box flexDirection="column">
      <Text bold>{txt(theme, `bqx-monitor · following ${database}`)}</Text>
      <Text>{txt(theme, lastRun)}</Text>
      <Text color={tint(theme, 'cyan')}>{txt(theme, waitingLine(waiting))}</Text>
      <Text> </Text>
      {asking ? (
        <Text bold inverse={theme.color} wrap="truncate">
          {txt(theme, words.prompt)}
        </Text>
      ) : (
        <Text dimColor>{txt(theme, words.footer)}</Text>
      )}
    </Box>
  );
}

/** The waiting screen on the terminal: redrawn with each check, closed by the follow. */
export interface WaitingScreen {
  update(p: Omit<FollowWaitingProps, 'onQuit'>): void;
  unmount(): void;
  /** Settles once closed and back on the normal screen. */
  readonly closed: Promise<void>;
}

/** Opens the waiting screen on the terminal's alternate screen (raw mode: Ctrl-C is a key). */
export function renderFollowWaiting(
  p: FollowWaitingProps,
  env: Readonly<Record<string, string | undefined>> = process.env,
): WaitingScreen {
  const screen = enterAlternateScreen();
  const tree = (q: FollowWaitingProps) => (
    <ThemeContext.Provider value={themeFor(env)}>
      <FollowWaiting {...q} />
    </ThemeContext.Provider>
  );
  const ui = render(tree(p), { exitOnCtrlC: false, patchConsole: false, maxFps: 10 });
  const closed = ui.waitUntilExit().then(
    () => screen.leave(),
    (err: unknown) => {
      screen.leave();
      throw err;
    },
  );
  return {
    update: (q) => ui.rerender(tree({ ...p, ...q })),
    unmount: () => ui.unmount(),
    closed,
  };
}

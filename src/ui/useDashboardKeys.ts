import { type Key, useInput } from 'ink';
import { useRef, useState } from 'react';
import type { RecentEvent, RunState } from '../orchestrator/state/runState.js';
import { TRACK_ORDER } from '../orchestrator/state/runState.js';
import type { TrackName } from '../tracks/protocol/events.js';
import type { DashboardControls, QuitReason } from './dashboardControls.js';
import { liveWorkers, logWorkers, nextWorker, workerLines } from './logWorkers.js';
import { filterLog } from './panels/LogView.js';

/** What the dashboard shows, and so what its keys mean. */
export type Mode =
  | { kind: 'main' }
  | { kind: 'help' }
  | { kind: 'confirm-restart'; track: TrackName }
  | { kind: 'confirm-quit' }
  /** The user asked the run to stop; the dashboard watches it finish. */
  | { kind: 'stopping' }
  | {
      kind: 'log';
      track: TrackName;
      /** The worker whose lines it shows (`Tab`); undefined: all of the track's. */
      worker: string | undefined;
      offset: number;
      filter: string;
      editing: string | undefined;
    };

interface KeyContext {
  readonly input: string;
  readonly key: Key;
  readonly mode: Mode;
  readonly track: TrackName;
  readonly ctrlC: boolean;
}

export interface DashboardKeyOptions {
  readonly controls: DashboardControls;
  /** The run's state now (not the last render's). */
  readonly state: () => RunState;
  readonly logs: Readonly<Record<TrackName | 'run', readonly RecentEvent[]>>;
  readonly rows: number;
  readonly quit: (reason: QuitReason) => void;
}

/**
 * The dashboard's keys: one handler per mode. The handler of the current mode is found
 * through a ref, not the last render, because keys arriving in one chunk (a paste, a slow
 * link) must each act on the mode the previous key left; an `isActive` flag would change
 * only at the next render.
 */
export function useDashboardKeys(o: DashboardKeyOptions): { mode: Mode; selected: number } {
  const [mode, setModeState] = useState<Mode>({ kind: 'main' });
  const modeRef = useRef<Mode>(mode);
  const setMode = (m: Mode) => {
    modeRef.current = m;
    setModeState(m);
  };
  const [selected, setSelectedState] = useState(0);
  const selectedRef = useRef(0);
  const select = (f: (s: number) => number) => {
    selectedRef.current = f(selectedRef.current);
    setSelectedState(selectedRef.current);
  };
  const leave = () => (o.state().finished ? o.quit('ended') : setMode({ kind: 'confirm-quit' }));

  const handlers: Record<Mode['kind'], (k: KeyContext) => void> = {
    main: ({ input, key, track, ctrlC }) => {
      const n = TRACK_ORDER.length;
      if (key.upArrow || input === 'k') select((s) => (s + n - 1) % n);
      else if (key.downArrow || input === 'j') select((s) => (s + 1) % n);
      else if (input === 'p') o.controls.togglePause(track);
      else if (input === 'P') o.controls.togglePauseAll();
      else if (input === 'r') setMode({ kind: 'confirm-restart', track });
      else if (input === '+' || input === '=') o.controls.addWorker(track);
      else if (input === '-') o.controls.removeWorker(track);
      else if (input === 'R') o.controls.retryFailed(track);
      else if (input === 'l' || key.return)
        setMode({
          kind: 'log',
          track,
          worker: undefined,
          offset: 0,
          filter: '',
          editing: undefined,
        });
      else if (input === '?') setMode({ kind: 'help' });
      else if (input === 'q' || ctrlC) leave();
    },
    help: () => setMode({ kind: 'main' }),
    'confirm-restart': ({ input, mode }) => {
      if ((input === 'y' || input === 'Y') && mode.kind === 'confirm-restart')
        o.controls.restart(mode.track);
      setMode({ kind: 'main' });
    },
    'confirm-quit': ({ input, key, ctrlC }) => {
      if (input === 'd' || input === 'D' || key.return || ctrlC) o.quit('detach');
      else if (input === 's' || input === 'S') {
        o.controls.stopRun();
        setMode({ kind: 'stopping' });
      } else setMode({ kind: 'main' });
    },
    stopping: ({ input, ctrlC }) => {
      if (input === 'd' || ctrlC) o.quit('detach');
      else if (input === 'q' && o.state().finished) o.quit('ended');
    },
    log: ({ input, key, mode, ctrlC }) => {
      if (mode.kind !== 'log') return;
      if (mode.editing !== undefined) return editFilter(mode, input, key);
      const page = Math.max(1, o.rows - 3);
      const lines = o.logs[mode.track];
      const total = filterLog(workerLines(lines, mode.worker), mode.filter).length;
      const top = Math.max(0, total - page);
      if (key.escape || input === 'q' || input === 'l') setMode({ kind: 'main' });
      else if (key.tab) {
        const workers = logWorkers(lines, liveWorkers(o.state(), mode.track));
        setMode({ ...mode, worker: nextWorker(workers, mode.worker), offset: 0 });
      } else if (key.pageUp) setMode({ ...mode, offset: Math.min(top, mode.offset + page) });
      else if (key.pageDown) setMode({ ...mode, offset: Math.max(0, mode.offset - page) });
      else if (key.upArrow || input === 'k')
        setMode({ ...mode, offset: Math.min(top, mode.offset + 1) });
      else if (key.downArrow || input === 'j')
        setMode({ ...mode, offset: Math.max(0, mode.offset - 1) });
      else if (key.home) setMode({ ...mode, offset: top });
      else if (key.end) setMode({ ...mode, offset: 0 });
      else if (input === '/') setMode({ ...mode, editing: '' });
      else if (ctrlC) leave();
    },
  };

  /** Typing the `/` filter: printable characters only (Ctrl-U clears, as in a shell). */
  function editFilter(mode: Extract<Mode, { kind: 'log' }>, input: string, key: Key) {
    const editing = mode.editing ?? '';
    if (key.return) setMode({ ...mode, filter: editing, editing: undefined, offset: 0 });
    else if (key.escape) setMode({ ...mode, editing: undefined });
    else if (key.backspace || key.delete) setMode({ ...mode, editing: editing.slice(0, -1) });
    else if (key.ctrl && input === 'u') setMode({ ...mode, editing: '' });
    else if (!key.ctrl && !key.meta) {
      const printable = [...input].filter((c) => c >= ' ' && c !== '\u007f').join('');
      if (printable) setMode({ ...mode, editing: editing + printable });
    }
  }

  useInput((input, key) => {
    const current = modeRef.current;
    handlers[current.kind]({
      input,
      key,
      mode: current,
      track: TRACK_ORDER[selectedRef.current]!,
      ctrlC: key.ctrl && input === 'c',
    });
  });
  return { mode, selected };
}

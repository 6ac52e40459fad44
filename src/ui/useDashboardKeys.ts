import { useInput } from 'ink';
import { useEffect, useRef, useState } from 'react';
import { TRACK_ORDER } from '../orchestrator/state/runState.js';
import type { KeyDeps, KeyPress, Mode } from './keys/keyTypes.js';
import { logKey } from './keys/logKeys.js';
import { helpKey, mainKey } from './keys/mainKeys.js';
import { confirmQuitKey, confirmRestartKey, stoppingKey } from './keys/promptKeys.js';

export type { Mode } from './keys/keyTypes.js';

/** What the keys need from the dashboard: everything `KeyDeps` has but the mode's setters. */
export type DashboardKeyOptions = Omit<KeyDeps, 'setMode' | 'select'>;

const HANDLERS: Record<Mode['kind'], (d: KeyDeps, k: KeyPress) => void> = {
  main: (d, k) => void mainKey(d, k),
  help: helpKey,
  'confirm-restart': confirmRestartKey,
  'confirm-quit': confirmQuitKey,
  stopping: stoppingKey,
  log: logKey,
};

/**
 * The dashboard's keys: one handler per mode. The current mode and selection are read
 * through refs, not the last render, because keys arriving in one chunk (a paste, a slow
 * link) must each act on the mode the previous key left; an `isActive` flag would change
 * only at the next render.
 */
export function useDashboardKeys(o: DashboardKeyOptions): { mode: Mode; selected: number } {
  const [mode, setModeState] = useState<Mode>({ kind: 'main' });
  const modeRef = useRef<Mode>(mode);
  const [selected, setSelectedState] = useState(0);
  const selectedRef = useRef(0);
  const deps: KeyDeps = {
    ...o,
    setMode: (m) => {
      modeRef.current = m;
      setModeState(m);
    },
    select: (f) => {
      selectedRef.current = f(selectedRef.current);
      setSelectedState(selectedRef.current);
    },
  };
  useInput((input, key) => {
    const current = modeRef.current;
    HANDLERS[current.kind](deps, {
      input,
      key,
      mode: current,
      track: TRACK_ORDER[selectedRef.current]!,
      ctrlC: key.ctrl && input === 'c',
    });
  });
  return { mode, selected };
}

/** A view whose user chose to stop the run leaves as soon as the run has ended. */
export function useLeaveWhenStopped(mode: Mode, finished: boolean, quit: KeyDeps['quit']): void {
  useEffect(() => {
    if (mode.kind === 'stopping' && finished) quit('ended');
  }, [mode.kind, finished, quit]);
}

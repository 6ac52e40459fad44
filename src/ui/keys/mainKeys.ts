import { TRACK_ORDER } from '../../orchestrator/state/runState.js';
import { type KeyDeps, type KeyPress, leave } from './keyTypes.js';

/**
 * The main view's keys. Returns false for a key it has no use for, so that the help
 * overlay can tell which keys to pass on.
 */
export function mainKey(d: KeyDeps, { input, key, track, ctrlC }: KeyPress): boolean {
  const n = TRACK_ORDER.length;
  if (key.upArrow || input === 'k') d.select((s) => (s + n - 1) % n);
  else if (key.downArrow || input === 'j') d.select((s) => (s + 1) % n);
  else if (input === 'p') d.controls.togglePause(track);
  else if (input === 'P') d.controls.togglePauseAll();
  else if (input === 'r') d.setMode({ kind: 'confirm-restart', track });
  else if (input === '+' || input === '=') d.controls.addWorker(track);
  else if (input === '-') d.controls.removeWorker(track);
  else if (input === 'R') d.controls.retryFailed(track);
  else if (input === 'l' || key.return)
    d.setMode({ kind: 'log', track, worker: undefined, offset: 0, filter: '', editing: undefined });
  else if (input === '?') d.setMode({ kind: 'help' });
  else if (input === 'q' || ctrlC) leave(d);
  else return false;
  return true;
}

/** The help overlay: `?`, Esc and `q` close it; any other key closes it and does its work. */
export function helpKey(d: KeyDeps, press: KeyPress): void {
  d.setMode({ kind: 'main' });
  const { input, key } = press;
  if (input === '?' || input === 'q' || key.escape) return;
  mainKey(d, { ...press, mode: { kind: 'main' } });
}

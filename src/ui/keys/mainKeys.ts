import { TRACK_ORDER } from '../../orchestrator/state/runState.js';
import { type KeyDeps, type KeyPress, leave } from './keyTypes.js';

/** What a key of the main view does to the selected track (or the run). */
type MainAction = (d: KeyDeps, track: KeyPress['track']) => void;

const n = TRACK_ORDER.length;
const up: MainAction = (d) => d.select((s) => (s + n - 1) % n);
const down: MainAction = (d) => d.select((s) => (s + 1) % n);
const openLog: MainAction = (d, track) =>
  d.setMode({ kind: 'log', track, worker: undefined, offset: 0, filter: '', editing: undefined });

/** The main view's keys by the character typed (the help lists the same). */
const BY_INPUT: Readonly<Record<string, MainAction>> = {
  k: up,
  j: down,
  p: (d, track) => d.controls.togglePause(track),
  P: (d) => d.controls.togglePauseAll(),
  r: (d, track) => d.setMode({ kind: 'confirm-restart', track }),
  '+': (d, track) => d.controls.addWorker(track),
  '=': (d, track) => d.controls.addWorker(track),
  '-': (d, track) => d.controls.removeWorker(track),
  R: (d, track) => d.controls.retryFailed(track),
  l: openLog,
  '?': (d) => d.setMode({ kind: 'help' }),
  q: (d) => leave(d),
};

/**
 * The main view's keys. Returns false for a key it has no use for, so that the help
 * overlay can tell which keys to pass on.
 */
export function mainKey(d: KeyDeps, { input, key, track, ctrlC }: KeyPress): boolean {
  const act = actionOf(input, key, ctrlC);
  if (!act) return false;
  act(d, track);
  return true;
}

/** The action of a key press: arrows, Enter and Ctrl-C first, then the character typed. */
function actionOf(input: string, key: KeyPress['key'], ctrlC: boolean): MainAction | undefined {
  if (key.upArrow) return up;
  if (key.downArrow) return down;
  if (key.return) return openLog;
  if (ctrlC) return BY_INPUT.q;
  return Object.hasOwn(BY_INPUT, input) ? BY_INPUT[input] : undefined;
}

/** The help overlay: `?`, Esc and `q` close it; any other key closes it and does its work. */
export function helpKey(d: KeyDeps, press: KeyPress): void {
  d.setMode({ kind: 'main' });
  const { input, key } = press;
  if (input === '?' || input === 'q' || key.escape) return;
  mainKey(d, { ...press, mode: { kind: 'main' } });
}

import type { Key } from 'ink';
import type { RecentEvent, RunState } from '../../orchestrator/state/runState.js';
import type { TrackName } from '../../tracks/protocol/events.js';
import type { DashboardControls, QuitReason } from '../dashboardControls.js';

/** The log view's mode: which track, which worker, where it is scrolled, its filter. */
export interface LogMode {
  readonly kind: 'log';
  readonly track: TrackName;
  /** The worker whose lines it shows (`Tab`); undefined: all of the track's. */
  readonly worker: string | undefined;
  readonly offset: number;
  readonly filter: string;
  /** The `/` filter being typed, if it is. */
  readonly editing: string | undefined;
}

/** What the dashboard shows, and so what its keys mean. */
export type Mode =
  | { readonly kind: 'main' }
  | { readonly kind: 'help' }
  | { readonly kind: 'confirm-restart'; readonly track: TrackName }
  | { readonly kind: 'confirm-quit' }
  /** The user asked the run to stop; the dashboard watches it finish, then leaves. */
  | { readonly kind: 'stopping' }
  | LogMode;

/** What the keys act on: the run's controls, the view's mode and selection, leaving. */
export interface KeyDeps {
  readonly controls: DashboardControls;
  /** The run's state now (not the last render's). */
  readonly state: () => RunState;
  readonly logs: Readonly<Record<TrackName | 'run', readonly RecentEvent[]>>;
  readonly rows: number;
  readonly quit: (reason: QuitReason) => void;
  readonly setMode: (m: Mode) => void;
  readonly select: (f: (selected: number) => number) => void;
}

/** One key press, with the mode it arrived in and the track selected then. */
export interface KeyPress {
  readonly input: string;
  readonly key: Key;
  readonly mode: Mode;
  readonly track: TrackName;
  readonly ctrlC: boolean;
}

/** Leaves the view: at once once the run has ended, else through the detach-or-stop prompt. */
export function leave(d: KeyDeps): void {
  if (d.state().finished) d.quit('ended');
  else d.setMode({ kind: 'confirm-quit' });
}

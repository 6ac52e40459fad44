import type { RunEvent, RunOutcome } from './events.js';
import type { RunState } from './runState.js';

/** A run's state as it changes: the supervisor's own, or a view's copy built from its events. */
export interface RunFeed {
  getState(): RunState;
  /** Calls `fn` after every state change; returns an unsubscribe function. */
  subscribe(fn: (state: RunState, ev: RunEvent) => void): () => void;
}

/** How a run ended, as any view of it learns it. `lost`: its supervisor vanished. */
export interface RunEnding {
  readonly state: RunState;
  readonly status: RunOutcome | 'lost';
  readonly exitCode: number;
  readonly message: string | undefined;
}

/** A run to report on: its feed, its id, and its end. */
export interface RunView extends RunFeed {
  readonly runId: string;
  readonly done: Promise<RunEnding>;
}

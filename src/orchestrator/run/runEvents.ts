import { createWriteStream, mkdirSync, type WriteStream } from 'node:fs';
import path from 'node:path';
import type { WithPgClient } from '../../db/connection/pool.js';
import { EventPublisher } from '../live/eventLog.js';
import type { RunEvent, RunPhase } from '../state/events.js';
import { initialState, type RunState, reduce } from '../state/runState.js';

/**
 * Where a supervised run's events go: the reducer (the run's state), the database's event
 * log (for the views), the run's NDJSON file, and the listeners of this process.
 */
export class RunEvents {
  private current: RunState = initialState(Date.now());
  private shown: RunPhase = 'starting';
  private log: WriteStream | undefined;
  private readonly listeners = new Set<(s: RunState, ev: RunEvent) => void>();
  /** Every worker this process started (a registry row of one is never another host's). */
  readonly ownPids = new Set<number>();
  readonly publisher: EventPublisher;
  /** The NDJSON event log ({data-dir}/runs/{run-id}.ndjson). */
  readonly logFile: string;

  constructor(
    private readonly runId: string,
    withPgClient: WithPgClient,
    dataDir: string,
  ) {
    this.publisher = new EventPublisher(runId, withPgClient);
    this.logFile = path.join(dataDir, 'runs', `${runId}.ndjson`);
  }

  get state(): RunState {
    return this.current;
  }

  /** The phase the run record shows: the reducer's (planning ends when the plan comes). */
  get phase(): RunPhase {
    return this.shown;
  }

  /** Opens the NDJSON log (once the run is this process's). */
  openLog(): void {
    mkdirSync(path.dirname(this.logFile), { recursive: true });
    this.log = createWriteStream(this.logFile, { flags: 'a', mode: 0o600 });
  }

  /** Applies an event and passes it on. */
  readonly dispatch = (ev: RunEvent): void => {
    if (ev.type === 'child_started') this.ownPids.add(ev.pid);
    this.current = reduce(this.current, ev);
    if (ev.type === 'run_phase' || ev.type === 'run_planned') this.shown = this.current.phase;
    if (ev.type !== 'tick') {
      // Samples reach views through the heartbeat's snapshot, not the event log (one
      // every 2 s would be most of a long run's log, replayed by every view that attaches).
      if (ev.type !== 'system_sample' && ev.type !== 'database_sample') this.publisher.push(ev);
      const line = { runId: this.runId, ...ev, at: new Date(ev.at).toISOString() };
      this.log?.write(`${JSON.stringify(line)}\n`);
    }
    for (const fn of this.listeners) fn(this.current, ev);
  };

  /** Calls `fn` after every state change; returns an unsubscribe function. */
  subscribe(fn: (state: RunState, ev: RunEvent) => void): () => void {
    this.listeners.add(fn);
    return () => this.listeners.delete(fn);
  }

  /** Closes the NDJSON log once what was written reached it. */
  closeLog(): Promise<void> {
    const log = this.log;
    return new Promise<void>((r) => (log ? log.end(r) : r()));
  }
}

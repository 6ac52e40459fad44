import type { RecentEvent, RunState } from '../orchestrator/state/runState.js';
import type { TrackName } from '../tracks/protocol/events.js';
import { appendLog } from './logWorkers.js';

/** Lines kept per track for the log view. */
export const LOG_LIMIT = 5000;

/** CPU samples kept for the system panel's sparkline. */
const CPU_SAMPLES = 120;

export type TrackLogs = Record<TrackName | 'run', RecentEvent[]>;

/**
 * What a view keeps beyond the run's state: each track's log (the run's recent events and
 * its workers' output, from the start of the run: a view that attaches late has them) and
 * the machine's CPU history. `take` is given every state the feed publishes.
 */
export class FeedCollector {
  readonly logs: TrackLogs = { bollinger: [], regression: [], extraction: [], run: [] };
  readonly cpu: number[] = [];
  private seen = 0;
  private seenOutput = 0;
  private lastSystem: unknown;

  take(state: RunState): void {
    const fresh = Math.min(state.noted - this.seen, state.recent.length);
    const out = Math.min(state.outputNoted - this.seenOutput, state.output.length);
    const lines = [
      ...state.recent.slice(state.recent.length - fresh),
      ...state.output.slice(state.output.length - out),
    ];
    // One event adds one line; a late view's first take merges both lists in time order.
    if (fresh > 0 && out > 0) lines.sort((a, b) => a.at - b.at);
    for (const r of lines) appendLog(this.logs[r.track ?? 'run'], r, LOG_LIMIT);
    this.seen = state.noted;
    this.seenOutput = state.outputNoted;
    if (state.system && state.system !== this.lastSystem) {
      this.lastSystem = state.system;
      this.cpu.push(state.system.cpu);
      if (this.cpu.length > CPU_SAMPLES) this.cpu.shift();
    }
  }
}

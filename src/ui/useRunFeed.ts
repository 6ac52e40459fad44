import { useEffect, useRef, useState } from 'react';
import type { RunEvent } from '../orchestrator/state/events.js';
import type { RunFeed } from '../orchestrator/state/runFeed.js';
import type { RecentEvent, RunState } from '../orchestrator/state/runState.js';
import type { TrackName } from '../tracks/protocol/events.js';
import { appendLog } from './logWorkers.js';

export type { RunFeed };

/** Events drawn at once rather than at the next periodic redraw. */
const URGENT = new Set<RunEvent['type']>([
  'track_state',
  'command',
  'connection',
  'run_finished',
  'run_lost',
  'run_phase',
]);

/** Lines kept per track for the log view. */
export const LOG_LIMIT = 5000;

export interface FeedView {
  readonly state: RunState;
  readonly cpuHistory: readonly number[];
  readonly logs: Readonly<Record<TrackName | 'run', readonly RecentEvent[]>>;
}

/**
 * Follows the run's state but re-renders at most once per `intervalMs` (every 2 s by
 * default; keys redraw at once), however fast events come: the dashboard stays cheap to
 * run and to watch over SSH.
 */
export function useRunFeed(feed: RunFeed, intervalMs = 2000): FeedView {
  const latest = useRef(feed.getState());
  const dirty = useRef(true);
  const cpu = useRef<number[]>([]);
  const lastSystem = useRef<unknown>(undefined);
  const logs = useRef<Record<TrackName | 'run', RecentEvent[]>>({
    bollinger: [],
    regression: [],
    extraction: [],
    run: [],
  });
  // From the start of the run's recent events and workers' output: a view that attaches late
  // has them in its logs.
  const seen = useRef(0);
  const seenOutput = useRef(0);
  const [view, setView] = useState<FeedView>(() => ({
    state: latest.current,
    cpuHistory: [],
    logs: { ...logs.current },
  }));
  useEffect(() => {
    const take = (state: RunState) => {
      const fresh = Math.min(state.noted - seen.current, state.recent.length);
      const out = Math.min(state.outputNoted - seenOutput.current, state.output.length);
      const lines = [
        ...state.recent.slice(state.recent.length - fresh),
        ...state.output.slice(state.output.length - out),
      ];
      // One event adds one line; a late view's first take merges both lists in time order.
      if (fresh > 0 && out > 0) lines.sort((a, b) => a.at - b.at);
      for (const r of lines) appendLog(logs.current[r.track ?? 'run'], r, LOG_LIMIT);
      seen.current = state.noted;
      seenOutput.current = state.outputNoted;
      if (state.system && state.system !== lastSystem.current) {
        lastSystem.current = state.system;
        cpu.current.push(state.system.cpu);
        if (cpu.current.length > 120) cpu.current.shift();
      }
    };
    take(feed.getState());
    const draw = () => {
      if (!dirty.current) return;
      dirty.current = false;
      setView({
        state: latest.current,
        cpuHistory: [...cpu.current],
        logs: { ...logs.current },
      });
    };
    let soon: NodeJS.Timeout | undefined;
    const off = feed.subscribe((state, ev) => {
      latest.current = state;
      dirty.current = true;
      take(state);
      // A change of what the run does (a key pressed in any view) shows within a second.
      if (URGENT.has(ev.type) && !soon) {
        soon = setTimeout(() => {
          soon = undefined;
          draw();
        }, 100);
      }
    });
    const timer = setInterval(draw, intervalMs);
    return () => {
      off();
      clearInterval(timer);
      if (soon) clearTimeout(soon);
    };
  }, [feed, intervalMs]);
  return view;
}

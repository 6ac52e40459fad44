import { useEffect, useState } from 'react';
import type { RunEvent } from '../orchestrator/state/events.js';
import type { RunFeed } from '../orchestrator/state/runFeed.js';
import type { RecentEvent, RunState } from '../orchestrator/state/runState.js';
import type { TrackName } from '../tracks/protocol/events.js';
import { FeedCollector } from './feedCollector.js';

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

export interface FeedView {
  readonly state: RunState;
  readonly cpuHistory: readonly number[];
  readonly logs: Readonly<Record<TrackName | 'run', readonly RecentEvent[]>>;
}

function viewOf(state: RunState, c: FeedCollector): FeedView {
  return { state, cpuHistory: [...c.cpu], logs: { ...c.logs } };
}

/**
 * Follows the run's state but re-renders at most once per `intervalMs` (every 2 s by
 * default; keys redraw at once; a change of what the run does within 100 ms), however
 * fast events come: the dashboard stays cheap to run and to watch over SSH.
 */
export function useRunFeed(feed: RunFeed, intervalMs = 2000): FeedView {
  const [collector] = useState(() => new FeedCollector());
  const [view, setView] = useState<FeedView>(() => viewOf(feed.getState(), collector));
  useEffect(() => {
    let latest = feed.getState();
    let dirty = true;
    collector.take(latest);
    const draw = () => {
      if (!dirty) return;
      dirty = false;
      setView(viewOf(latest, collector));
    };
    let soon: NodeJS.Timeout | undefined;
    const off = feed.subscribe((state, ev) => {
      latest = state;
      dirty = true;
      collector.take(state);
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
  }, [feed, intervalMs, collector]);
  return view;
}

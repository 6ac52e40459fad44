import { stripVTControlCharacters as strip } from 'node:util';
import { render } from 'ink-testing-library';
import { expect, vi } from 'vitest';
import type { RunEvent } from '../../src/orchestrator/state/events.js';
import { initialState, type RunState, reduce } from '../../src/orchestrator/state/runState.js';
import { Dashboard, type DashboardControls } from '../../src/ui/Dashboard.js';
import { type Theme, ThemeContext, themeFor } from '../../src/ui/theme.js';
import type { RunFeed } from '../../src/ui/useRunFeed.js';

/** Controls that note what each key asked for (`pause bollinger`, `add worker regression`). */
export function recorder(): { calls: string[]; controls: DashboardControls } {
  const calls: string[] = [];
  const controls: DashboardControls = {
    togglePause: (t) => calls.push(`pause ${t}`),
    togglePauseAll: () => calls.push('pause all'),
    restart: (t) => calls.push(`restart ${t}`),
    stopRun: () => calls.push('stop'),
    addWorker: (t) => calls.push(`add worker ${t}`),
    removeWorker: (t) => calls.push(`remove worker ${t}`),
    retryFailed: (t) => calls.push(`retry ${t}`),
  };
  return { calls, controls };
}

/** A run whose state never changes. */
export function fixedFeed(state: RunState): RunFeed {
  return { getState: () => state, subscribe: () => () => {} };
}

/** A run whose state changes as the test pushes events, as a supervisor's feed does. */
export function liveFeed(
  events: readonly RunEvent[],
  t0: number,
): RunFeed & { push(e: RunEvent): void } {
  let state: RunState = events.reduce(reduce, initialState(t0));
  const subs = new Set<(s: RunState, e: RunEvent) => void>();
  return {
    getState: () => state,
    subscribe(fn) {
      subs.add(fn);
      return () => subs.delete(fn);
    },
    push(e) {
      state = reduce(state, e);
      for (const fn of subs) fn(state, e);
    },
  };
}

const mounted: Array<{ unmount: () => void }> = [];

/** Keeps an Ink tree to unmount after the test (`afterEach(unmountAll)`). */
export function mount<T extends { unmount: () => void }>(tree: T): T {
  mounted.push(tree);
  return tree;
}

/** Unmounts every tree `mount` kept: for the test file's `afterEach`. */
export function unmountAll(): void {
  for (const m of mounted.splice(0)) m.unmount();
}

export interface ShowOptions {
  readonly feed: RunFeed;
  readonly controls?: DashboardControls;
  readonly columns?: number;
  readonly rows?: number;
  readonly theme?: Theme;
  readonly database?: string;
  readonly onQuit?: (why: string) => void;
}

/**
 * The dashboard rendered to ink-testing-library's fake terminal (100×30 and UTF-8 unless
 * told), redrawing every 5 ms; `frame()` is its last frame as text, `until` waits for it.
 */
export function showDashboard(o: ShowOptions) {
  const r = mount(
    render(
      <ThemeContext.Provider value={o.theme ?? themeFor({ LANG: 'C.UTF-8' })}>
        <Dashboard
          feed={o.feed}
          controls={o.controls ?? recorder().controls}
          database={o.database ?? 'postgres://bqx:****@db.example/bqx'}
          intervalMs={5}
          size={{ columns: o.columns ?? 100, rows: o.rows ?? 30 }}
          {...(o.onQuit ? { onQuit: o.onQuit } : {})}
        />
      </ThemeContext.Provider>,
    ),
  );
  const frame = () => strip(r.lastFrame() ?? '');
  return { ...r, frame };
}

/** Waits (generously: a loaded machine) until `check` passes. */
export const until = (check: () => void) => vi.waitFor(check, { timeout: 10_000, interval: 10 });

/** Waits until the frame contains `text`. */
export const untilShown = (frame: () => string, text: string) =>
  until(() => expect(frame()).toContain(text));

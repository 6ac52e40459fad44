import {
  type HostSummary,
  hostSummaries,
  type RunState,
  TRACK_ORDER,
  trackEta,
} from '../orchestrator/state/runState.js';
import type { FlowLine } from './flow.js';
import { budgetRows, MIN_EVENT_LINES, type RowBudget } from './layout.js';
import { hostLines } from './panels/HostsPanel.js';
import { systemLines } from './panels/SystemPanel.js';
import { trackDetailLines, wantedActivityLines } from './panels/TrackPanel.js';
import type { Theme } from './theme.js';

/** What the main screen draws, measured for the terminal it draws on. */
export interface MainLayout {
  readonly system: FlowLine[];
  /** Each track's lines under its bar, in TRACK_ORDER. */
  readonly details: FlowLine[][];
  readonly hosts: readonly HostSummary[];
  /** The hosts panel's lines (none when it has no row to spare). */
  readonly hostRows: string[];
  /** Activity lines per track and event lines, from the rows left. */
  readonly budget: RowBudget;
}

/**
 * Lays the main screen out: the panels of fixed height first (header, system, each track's
 * bar and details, overall, status line, footer: a new panel adds its rows here), then
 * the activity and the events share the rest (layout.ts).
 */
export function mainLayout(
  p: {
    readonly state: RunState;
    readonly cpuHistory: readonly number[];
    readonly database: string;
    readonly width: number;
    readonly rows: number;
  },
  theme: Theme,
): MainLayout {
  const { state, width, rows } = p;
  const system = systemLines(
    {
      system: state.system,
      database: state.database,
      target: p.database,
      cpuHistory: p.cpuHistory,
      width,
    },
    theme,
  );
  const details = TRACK_ORDER.map((k) =>
    trackDetailLines(state.tracks[k], state.now, trackEta(state, k), width, theme),
  );
  const hosts = hostSummaries(state);
  const fixed = 1 + system.length + details.reduce((n, d) => n + 1 + d.length, 0) + 1 + 1 + 1;
  const wanted = TRACK_ORDER.map((k) => wantedActivityLines(state.tracks[k]));
  // Once the run has ended, its report's essentials (headline, heading, a row per track)
  // come before each track's last unit.
  const eventsFirst = state.finished && state.report ? 2 + state.report.tracks.length : 0;
  // The hosts line: always when workers of other hosts take part; with the one host, only
  // on a row the events could spare.
  const hostsText = hostLines(hosts, width, rows < 32 ? 1 : 3);
  const needs = { rows, fixed, wanted, eventsFirst };
  const spare = budgetRows(needs).events > Math.max(MIN_EVENT_LINES, eventsFirst);
  const hostRows = hosts.length > 1 || spare ? hostsText : [];
  const budget = budgetRows({ ...needs, fixed: fixed + hostRows.length });
  return { system, details, hosts, hostRows, budget };
}

/** Events shown, at least, when the terminal has the rows for them. */
export const MIN_EVENT_LINES = 3;

export interface RowNeeds {
  /** Rows of the terminal. */
  readonly rows: number;
  /**
   * Rows taken whatever the room: the header, the system and database lines, each track's
   * bar and detail lines, the overall bar, the status line, the footer, and any other
   * panel of fixed height.
   */
  readonly fixed: number;
  /** Activity lines each track would show with room enough (running units, its last unit). */
  readonly wanted: readonly number[];
  /**
   * Rows the events area gets before any activity line (the ended run's report: its
   * headline, its heading and a row per track come before each track's last unit).
   */
  readonly eventsFirst?: number;
}

export interface RowBudget {
  /** Activity lines per track, in the order of `wanted`. */
  readonly activity: number[];
  /** Recent events shown under the overall bar. */
  readonly events: number;
}

/**
 * How the rows left after the fixed panels are shared: one activity line per track that has one,
 * a few recent events, then more activity lines (one track at a time, up to what each
 * wants), and every row still spare to the events. One row stays free: a frame as tall
 * as the terminal makes Ink clear the screen on every redraw.
 */
export function budgetRows(n: RowNeeds): RowBudget {
  const first = Math.min(n.eventsFirst ?? 0, Math.max(0, n.rows - 1 - n.fixed));
  let left = Math.max(0, n.rows - 1 - n.fixed - first);
  const activity = n.wanted.map(() => 0);
  for (let i = 0; i < activity.length && left > 0; i++) {
    if (n.wanted[i]! === 0) continue;
    activity[i] = 1;
    left--;
  }
  const events = first + Math.min(Math.max(0, MIN_EVENT_LINES - first), left);
  left -= events - first;
  for (let gave = true; gave && left > 0; ) {
    gave = false;
    for (let i = 0; i < activity.length && left > 0; i++) {
      if (activity[i]! < n.wanted[i]!) {
        activity[i]! += 1;
        left--;
        gave = true;
      }
    }
  }
  return { activity, events: events + left };
}

/** What a following supervisor shows between its runs (`run --follow`). */
export interface Waiting {
  /** When it checks the sources next (epoch ms). */
  readonly nextCheck: number;
  /** The last change it saw in the sources: when, and the first unit it made stale. */
  readonly lastChange?: { readonly at: number; readonly unit: string } | undefined;
}

function clock(ms: number): string {
  const d = new Date(ms);
  return `${String(d.getHours()).padStart(2, '0')}:${String(d.getMinutes()).padStart(2, '0')}`;
}

/**
 * `waiting for new data · next check 14:05 · last change 13:52 eurusd 2024-12` (local
 * time, as the dashboard's clock); `last change none yet` before the first change seen.
 */
export function waitingLine(w: Waiting): string {
  const change = w.lastChange
    ? `${clock(w.lastChange.at)} ${w.lastChange.unit.replace('/', ' ')}`
    : 'none yet';
  return `waiting for new data · next check ${clock(w.nextCheck)} · last change ${change}`;
}

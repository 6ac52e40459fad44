import { formatCount } from '../text/describe.js';

/**
 * Why the units of a run ran, counted by kind for the post-run report. The plan gives each
 * unit a reason (`never run`, `new rows (31,560 now, none before)`, …, docs/freshness.md),
 * which its history row keeps; the report counts them by the reason's kind so that units
 * differing only in figures (or, on Track 3, in the month named) fall together.
 */

/** The kind of a history row without a reason: recorded before reasons were kept. */
export const UNKNOWN_REASON = 'unknown';

/**
 * The kind of a reason: its text before ` (` and without Track 3's ` in 2024-09`, so
 * `new rows in 2024-09 (31,560 now, none before)` is `new rows`; null is `unknown`.
 */
export function reasonKind(reason: string | null | undefined): string {
  if (reason === null || reason === undefined || reason.trim() === '') return UNKNOWN_REASON;
  const open = reason.indexOf(' (');
  const head = open < 0 ? reason : reason.slice(0, open);
  return head.replace(/ in \d{4}-\d{2}$/, '').trim();
}

/** Units per reason kind, the most frequent first (then by name). */
export function reasonCounts(
  reasons: ReadonlyArray<string | null | undefined>,
): Record<string, number> {
  const counts = new Map<string, number>();
  for (const r of reasons) {
    const kind = reasonKind(r);
    counts.set(kind, (counts.get(kind) ?? 0) + 1);
  }
  const sorted = [...counts].sort((a, b) => b[1] - a[1] || a[0].localeCompare(b[0]));
  return Object.fromEntries(sorted);
}

/** `2 never run, 1 values changed` (empty when no unit ran). */
export function reasonsText(reasons: Readonly<Record<string, number>> | undefined): string {
  return Object.entries(reasons ?? {})
    .map(([kind, n]) => `${formatCount(n)} ${kind}`)
    .join(', ');
}

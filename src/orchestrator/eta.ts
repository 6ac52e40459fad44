/** Completions remembered for the throughput estimate. */
export const RATE_WINDOW = 20;

/** Timestamps (ms) of recent unit completions, newest last, at most RATE_WINDOW. */
export type Completions = readonly number[];

/** Adds a completion time, keeping only the most recent RATE_WINDOW. */
export function addCompletion(c: Completions, at: number): number[] {
  const next = [...c, at];
  return next.length > RATE_WINDOW ? next.slice(next.length - RATE_WINDOW) : next;
}

/**
 * Units per second measured over recent completions: (n − 1) completions over the span
 * between the first and last; with one completion, since `startedAt`. Undefined before
 * anything completed: no ETA from constants, ever.
 */
export function unitsPerSecond(c: Completions, startedAt: number): number | undefined {
  if (c.length === 0) return undefined;
  if (c.length === 1) {
    const span = c[0]! - startedAt;
    return span > 0 ? 1000 / span : undefined;
  }
  const span = c[c.length - 1]! - c[0]!;
  return span > 0 ? ((c.length - 1) * 1000) / span : undefined;
}

/** Seconds left for `remaining` units at `rate` units/s; 0 when nothing remains. */
export function etaSeconds(remaining: number, rate: number | undefined): number | undefined {
  if (remaining <= 0) return 0;
  if (rate === undefined || rate <= 0) return undefined;
  return remaining / rate;
}

/** `1h 02m`, `4m 05s`, `12s`, or `—` when unknown. */
export function formatDuration(seconds: number | undefined): string {
  if (seconds === undefined || !Number.isFinite(seconds)) return '—';
  const s = Math.max(0, Math.round(seconds));
  const h = Math.floor(s / 3600);
  const m = Math.floor((s % 3600) / 60);
  const sec = s % 60;
  if (h > 0) return `${h}h ${String(m).padStart(2, '0')}m`;
  if (m > 0) return `${m}m ${String(sec).padStart(2, '0')}s`;
  return `${sec}s`;
}

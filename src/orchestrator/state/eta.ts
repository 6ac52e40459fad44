/** How far back measured throughput looks: recent enough to follow a change of pace. */
export const RATE_WINDOW_MS = 120_000;

/** A finished unit, as throughput sees it. */
export interface Finish {
  readonly at: number;
  readonly rows: number;
}

/** Measured throughput of a track. */
export interface Throughput {
  readonly unitsPerSec: number;
  readonly rowsPerSec: number;
}

/**
 * Units and rows per second from the finishes of this run: over the last two minutes
 * when at least three units finished in them, else since the track started, not counting
 * the time it was paused. Undefined until a unit has finished (no constant stands in for
 * a measurement).
 */
export function throughput(
  finishes: readonly Finish[],
  startedAt: number | undefined,
  now: number,
  pausedWithin: (from: number, to: number) => number = () => 0,
): Throughput | undefined {
  if (finishes.length === 0 || startedAt === undefined) return undefined;
  const recent = finishes.filter((f) => f.at >= now - RATE_WINDOW_MS);
  const [from, sample] =
    recent.length >= 3 ? [now - RATE_WINDOW_MS, recent] : [startedAt, finishes];
  const start = Math.max(from, startedAt);
  // Paused time is not working time: a paused track's pace does not decay.
  const seconds = Math.max((now - start - pausedWithin(start, now)) / 1000, 0.001);
  const rows = sample.reduce((s, f) => s + f.rows, 0);
  return { unitsPerSec: sample.length / seconds, rowsPerSec: rows / seconds };
}

/** Seconds left for `remaining` units at the measured rate; undefined when not measurable. */
export function etaSeconds(remaining: number, rate: Throughput | undefined): number | undefined {
  if (remaining <= 0) return 0;
  if (!rate || rate.unitsPerSec <= 0) return undefined;
  return remaining / rate.unitsPerSec;
}

/** `2h 05m`, `4m 09s`, `12s`; `—` when unknown. */
export function formatDuration(seconds: number | undefined): string {
  if (seconds === undefined || !Number.isFinite(seconds)) return '—';
  const s = Math.max(0, Math.round(seconds));
  const h = Math.floor(s / 3600);
  const m = Math.floor((s % 3600) / 60);
  const r = s % 60;
  if (h > 0) return `${h}h ${String(m).padStart(2, '0')}m`;
  if (m > 0) return `${m}m ${String(r).padStart(2, '0')}s`;
  return `${r}s`;
}

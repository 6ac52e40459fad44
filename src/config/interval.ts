/**
 * Intervals as a user writes them (`30s`, `5m`, `1h`): `run --follow [INTERVAL]` and the
 * `follow.extractionEvery` setting. Whole numbers of one unit only, so that the value a
 * user reads back is the one they wrote.
 */

const UNIT_MS = { s: 1000, m: 60_000, h: 3_600_000 } as const;

/** The shortest interval accepted: a check of the sources is not free. */
export const MIN_INTERVAL_MS = 1000;

/** The longest: a week (a longer wait is a cron job's, not a supervisor's). */
export const MAX_INTERVAL_MS = 7 * 24 * 3_600_000;

/**
 * `text` in milliseconds, or a one-line reason it is not an interval (`5m`, `30s`, `1h`;
 * from 1 s to 7 days).
 */
export function parseInterval(text: string): { ms: number } | { error: string } {
  const m = /^(\d{1,9})(s|m|h)$/.exec(text.trim());
  if (!m) return { error: `${JSON.stringify(text)} is not an interval (e.g. 30s, 5m, 1h)` };
  const ms = Number(m[1]) * UNIT_MS[m[2] as keyof typeof UNIT_MS];
  if (ms < MIN_INTERVAL_MS || ms > MAX_INTERVAL_MS)
    return { error: `${JSON.stringify(text)}: an interval is from 1s to 168h` };
  return { ms };
}

import type { M1Bars } from '../m1Bars.js';
import { isOpen, SESSIONS } from '../sessions.js';

const DAY = 86_400_000;
const MINUTE = 60_000;
/** Sunday 22:00 UTC: the FX week's open. 1970-01-04 was a Sunday. */
const WEEK_OPEN = 3 * DAY + 22 * 60 * MINUTE;

/** Columns of `time_features_{pair}` (docs/demo-data.md): doubles, ints, a boolean, a text. */
export interface TimeFeatureColumns {
  readonly numeric: Record<string, Float64Array>;
  readonly is_weekend_approach: Uint8Array;
  readonly trading_session: string[];
}

/** `time_features_{pair}`: 8 columns from the bar's UTC time. */
export function timeFeatures(bars: M1Bars): TimeFeatureColumns {
  const n = bars.time.length;
  const num = (): Float64Array => new Float64Array(n);
  const numeric = {
    hour_sin: num(),
    hour_cos: num(),
    day_of_week_sin: num(),
    day_of_week_cos: num(),
    session_overlap: num(),
    minutes_since_market_open: num(),
  };
  const weekend = new Uint8Array(n);
  const session: string[] = new Array(n);
  for (let i = 0; i < n; i++) {
    const t = bars.time[i]!;
    const d = new Date(t);
    const minuteOfDay = d.getUTCHours() * 60 + d.getUTCMinutes();
    const dow = d.getUTCDay(); // 0 = Sunday
    numeric.hour_sin[i] = Math.sin((2 * Math.PI * minuteOfDay) / 1440);
    numeric.hour_cos[i] = Math.cos((2 * Math.PI * minuteOfDay) / 1440);
    numeric.day_of_week_sin[i] = Math.sin((2 * Math.PI * dow) / 7);
    numeric.day_of_week_cos[i] = Math.cos((2 * Math.PI * dow) / 7);
    const open = SESSIONS.filter((s) => isOpen(s, minuteOfDay));
    numeric.session_overlap[i] = open.length;
    weekend[i] = dow === 5 && d.getUTCHours() >= 18 ? 1 : 0;
    numeric.minutes_since_market_open[i] = Math.floor(
      ((((t - WEEK_OPEN) % (7 * DAY)) + 7 * DAY) % (7 * DAY)) / MINUTE,
    );
    // The most recently opened of the open sessions.
    let best = open[0]!;
    let bestAge = Number.POSITIVE_INFINITY;
    for (const s of open) {
      const age = (minuteOfDay - s.open * 60 + 1440) % 1440;
      if (age < bestAge) {
        bestAge = age;
        best = s;
      }
    }
    session[i] = best.name;
  }
  return { numeric, is_weekend_approach: weekend, trading_session: session };
}

/** Trading sessions by UTC hour, [open, close): Sydney wraps midnight. */
export const SESSIONS = [
  { name: 'sydney', open: 21, close: 6 },
  { name: 'tokyo', open: 0, close: 9 },
  { name: 'london', open: 7, close: 16 },
  { name: 'new_york', open: 12, close: 21 },
] as const;

/** True when the session is open at this UTC minute of the day (0..1439). */
export function isOpen(s: (typeof SESSIONS)[number], minuteOfDay: number): boolean {
  const h = minuteOfDay / 60;
  return s.open < s.close ? h >= s.open && h < s.close : h >= s.open || h < s.close;
}

/** FX trades from Sunday 22:00 UTC to Friday 22:00 UTC. */
export function isTradingMinute(ms: number): boolean {
  const d = new Date(ms);
  const dow = d.getUTCDay();
  const h = d.getUTCHours();
  if (dow === 6) return false;
  if (dow === 5) return h < 22;
  if (dow === 0) return h >= 22;
  return true;
}

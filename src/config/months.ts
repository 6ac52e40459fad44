/** A calendar month, `YYYY-MM` on the command line and in config. */
export interface Month {
  readonly year: number;
  readonly month: number; // 1..12
}

const MONTH_SHAPE = /^(\d{4})-(0[1-9]|1[0-2])$/;

/** Parses `YYYY-MM`; returns undefined for anything else. */
export function parseMonth(text: string): Month | undefined {
  const m = MONTH_SHAPE.exec(text);
  if (!m) return undefined;
  return { year: Number(m[1]), month: Number(m[2]) };
}

/**
 * What is wrong with `text` as a month, in a user's words (undefined: nothing): a month
 * number out of range is named as such, not as a misspelling of the format.
 */
export function monthProblem(text: string): string | undefined {
  if (parseMonth(text)) return undefined;
  const m = /^\d{4}-(\d{2})$/.exec(text);
  if (m) return `month ${Number(m[1])} is out of range (01 to 12)`;
  return 'expected a month written YYYY-MM';
}

/** `YYYY-MM`. */
export function formatMonth(m: Month): string {
  return `${m.year}-${String(m.month).padStart(2, '0')}`;
}

/** `yyyy_mm`, the suffix of partition names. */
export function partitionSuffix(m: Month): string {
  return `${m.year}_${String(m.month).padStart(2, '0')}`;
}

/** The month after `m`. */
export function nextMonth(m: Month): Month {
  return m.month === 12 ? { year: m.year + 1, month: 1 } : { year: m.year, month: m.month + 1 };
}

/** Compares two months chronologically. */
export function compareMonths(a: Month, b: Month): number {
  return a.year !== b.year ? a.year - b.year : a.month - b.month;
}

/** Every month from `from` to `to`, both included. */
export function monthRange(from: Month, to: Month): Month[] {
  const out: Month[] = [];
  for (let m = from; compareMonths(m, to) <= 0; m = nextMonth(m)) out.push(m);
  return out;
}

/** Epoch milliseconds of the month's first instant, UTC (`YYYY-MM-01 00:00:00+00`). */
export function monthStartMs(m: Month): number {
  return Date.UTC(m.year, m.month - 1, 1);
}

/** The PostgreSQL timestamptz literal of the month's first instant in UTC. */
export function monthStartLiteral(m: Month): string {
  return `${formatMonth(m)}-01 00:00:00+00`;
}

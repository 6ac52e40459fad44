import type { Fingerprint } from './fingerprint.js';

/** What the plan knows of a unit's last outcome. */
export interface RecordedState {
  readonly status: 'done' | 'empty' | 'failed';
  /** Null for an outcome recorded before fingerprints existed (see `adoptable`). */
  readonly fingerprint: Fingerprint | null;
}

/** Whether a unit must run, and why (the words of `run --dry-run`). */
export interface Verdict {
  readonly stale: boolean;
  readonly reason: string;
}

/** What else decides a unit's verdict beside its fingerprints. */
export interface VerdictFacts {
  /** `--recompute` names its track. */
  readonly forced?: boolean;
  /** Its output partition or file is gone. */
  readonly outputMissing?: boolean;
}

const UP_TO_DATE: Verdict = { stale: false, reason: 'up to date' };
const n = (x: number) => x.toLocaleString('en-US');

/** The month a part key names: `src@2024-08` and `src<2024-09#120` → its month. */
function partMonth(key: string): string {
  const m = /[@<](\d{4}-\d{2})/.exec(key);
  return m ? m[1]! : '';
}

/** The month before a `YYYY-MM`. */
function previousMonth(month: string): string {
  const [y, m] = month.split('-').map(Number) as [number, number];
  return m === 1 ? `${y - 1}-12` : `${y}-${String(m - 1).padStart(2, '0')}`;
}

/** Why a month's rows differ: rows added, rows deleted, or values changed in place. */
function monthChange(before: readonly [number, string], now: readonly [number, string]): string {
  const [rb, hb] = before;
  const [rn, hn] = now;
  if (rn > rb) return `new rows (${n(rn)} now, ${rb === 0 ? 'none' : n(rb)} before)`;
  if (rn < rb)
    return `rows changed (${n(rb - rn)} ${rb - rn === 1 ? 'minute' : 'minutes'} deleted)`;
  return hb === hn ? '' : 'values changed';
}

/**
 * The first difference between two fingerprints' parts, in the order a reader looks for
 * it: the unit's own months (rows, then values), then its look-back rows. Months are named
 * when the unit reads several (Track 3).
 */
export function partsChange(before: Fingerprint, now: Fingerprint): string | undefined {
  const keys = [...new Set([...Object.keys(now.parts), ...Object.keys(before.parts)])];
  // Chronological (a stable sort keeps the sources' order within a month).
  const months = keys
    .filter((k) => k.includes('@'))
    .sort((a, b) => partMonth(a).localeCompare(partMonth(b)));
  const many = new Set(months.map(partMonth)).size > 1;
  const empty = [0, '0'] as const;
  for (const k of months) {
    const why = monthChange(before.parts[k] ?? empty, now.parts[k] ?? empty);
    if (!why) continue;
    if (!many) return why;
    return why.includes(' (')
      ? why.replace(' (', ` in ${partMonth(k)} (`)
      : `${why} in ${partMonth(k)}`;
  }
  for (const k of keys.filter((x) => x.includes('<'))) {
    const b = before.parts[k] ?? empty;
    const c = now.parts[k] ?? empty;
    if (b[0] !== c[0] || b[1] !== c[1])
      return `look-back changed (${previousMonth(partMonth(k))} changed)`;
  }
  return undefined;
}

/**
 * A unit's verdict from its recorded outcome and its inputs now (pure). Stale: never run,
 * failed, forced, output gone, another code version or output settings, or inputs whose
 * digests moved. An outcome without a fingerprint is judged by `adoptable` before this.
 */
export function judgeUnit(
  recorded: RecordedState | undefined,
  now: Fingerprint,
  facts: VerdictFacts = {},
): Verdict {
  if (facts.forced) return { stale: true, reason: 'forced (--recompute)' };
  if (!recorded) return { stale: true, reason: 'never run' };
  if (recorded.status === 'failed') return { stale: true, reason: 'failed' };
  const before = recorded.fingerprint;
  if (!before) return { stale: true, reason: 'no fingerprint recorded' };
  if (before.code !== now.code)
    return { stale: true, reason: `feature code v${before.code} → v${now.code}` };
  if (before.settings !== now.settings)
    return { stale: true, reason: `settings changed (${before.settings} → ${now.settings})` };
  if (recorded.status === 'done' && facts.outputMissing)
    return { stale: true, reason: 'output missing' };
  const why = partsChange(before, now);
  return why ? { stale: true, reason: why } : UP_TO_DATE;
}

import type { OverflowCounts } from '../kernels/overflow.js';
import type { Emit } from '../protocol/emit.js';
import type { UnitQuality } from '../protocol/events.js';

/** Columns a warning names before "and N more": every count is in the unit's details. */
const NAMED_COLUMNS = 6;

/** `a (3), b (1) and 4 more` for counts by name, in their order. */
export function describeCounts(counts: Readonly<Record<string, number>>): string {
  const entries = Object.entries(counts);
  const named = entries.slice(0, NAMED_COLUMNS).map(([name, n]) => `${name} (${n})`);
  const more = entries.length - named.length;
  return more > 0 ? `${named.join(', ')} and ${more} more` : named.join(', ');
}

/**
 * Announces a unit's overflowed values (docs/spec/FEATURES.md: written as NULL, never as NaN or
 * Infinity) as one `overflow` warning with their total, naming the columns.
 */
export function warnOverflow(emit: Emit, unit: string, overflow: OverflowCounts): void {
  const total = overflow.total;
  if (total === 0) return;
  emit({
    type: 'warning',
    unit,
    code: 'overflow',
    count: total,
    message: `${total} value(s) of ${unit} overflowed (not finite from finite inputs) and were written as NULL: ${describeCounts(overflow.toRecord())}`,
  });
}

/** Counts kept only where some name has a count: zero counts are no news. */
function nonZero(counts: Readonly<Record<string, number>> | undefined) {
  if (counts === undefined) return undefined;
  const kept = Object.entries(counts).filter(([, n]) => n > 0);
  return kept.length > 0 ? Object.fromEntries(kept) : undefined;
}

/**
 * A unit's quality record (`unit_done.quality`, `unit_results.details`) with only the
 * kinds that occurred; undefined for a clean unit.
 */
export function unitQuality(parts: {
  nonFinite?: Readonly<Record<string, number>>;
  overflow?: Readonly<Record<string, number>>;
  dropped?: Readonly<Record<string, number>>;
}): UnitQuality | undefined {
  const quality: UnitQuality = {};
  const nonFinite = nonZero(parts.nonFinite);
  const overflow = nonZero(parts.overflow);
  const dropped = nonZero(parts.dropped);
  if (nonFinite) quality.nonFinite = nonFinite;
  if (overflow) quality.overflow = overflow;
  if (dropped) quality.dropped = dropped;
  return Object.keys(quality).length > 0 ? quality : undefined;
}

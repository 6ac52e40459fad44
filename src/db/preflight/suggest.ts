import { distance } from 'fastest-levenshtein';

/**
 * Closest candidates to a missing name: the closest few by edit distance, preferring
 * names nothing in the contract claims (a renamed column shows up as such a leftover).
 */
export function suggestNames(
  missing: string,
  leftovers: Iterable<string>,
  others: Iterable<string> = [],
  limit = 3,
): string[] {
  const rank = (names: Iterable<string>, maxDistance: number) =>
    [...names]
      .map((n) => ({ n, d: distance(missing, n) }))
      .filter((x) => x.d <= maxDistance)
      .sort((a, b) => a.d - b.d || a.n.localeCompare(b.n))
      .map((x) => x.n);
  const loose = Math.max(3, Math.ceil(missing.length * 0.75));
  const strict = Math.max(2, Math.floor(missing.length / 3));
  const out = [...rank(leftovers, loose), ...rank(others, strict)];
  return [...new Set(out)].slice(0, limit);
}

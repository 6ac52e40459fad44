/**
 * A moment as every text view writes it: `2026-12-06 15:08:58Z` (UTC, to the second);
 * `—` for none. JSON keeps the ISO form (`2026-12-06T15:08:58.289Z`).
 */
export function formatTimestamp(iso: string | null | undefined): string {
  return iso ? `${iso.slice(0, 19).replace('T', ' ')}Z` : '—';
}

import { formatMonth } from '../../config/months.js';
import { DIGEST_SCHEME, type DigestSource } from './digestSql.js';
import type { SourceNeed } from './digestCache.js';
import {
  backKey,
  type DigestTable,
  type Fingerprint,
  monthKey,
  type UnitInputs,
} from './fingerprint.js';

const NONE = [0, '0'] as const;

/**
 * A unit's fingerprint now, from the current digests of its sources (`refreshDigests`):
 * the same parts a unit computes in its snapshot (`computeFingerprint`). A month a source
 * has no digest of has no rows.
 */
export function fingerprintFrom(inputs: UnitInputs, digests: DigestTable): Fingerprint {
  const parts: Record<string, readonly [number, string]> = {};
  for (const p of inputs.parts) Object.assign(parts, partNow(p, digests.get(p.source.name)));
  return { digest: DIGEST_SCHEME, code: inputs.code, settings: inputs.settings, parts };
}

type Part = UnitInputs['parts'][number];
type SourceDigests = NonNullable<ReturnType<DigestTable['get']>>;

/** One part of a unit's inputs as its source's digests have it now (keyed as recorded). */
function partNow(
  p: Part,
  of: SourceDigests | undefined,
): Record<string, readonly [number, string]> {
  if (p.kind === 'month') {
    const m = formatMonth(p.month);
    return { [monthKey(p.source.name, m)]: of?.get(`@${m}`) ?? NONE };
  }
  if (p.kind === 'back') {
    const m = formatMonth(p.month);
    return { [backKey(p.source.name, m, p.n)]: of?.get(`<${m}#${p.n}`) ?? NONE };
  }
  // A whole table (Track 3): every month that has rows.
  const parts: Record<string, readonly [number, string]> = {};
  for (const [k, d] of of ?? [])
    if (k.startsWith('@') && d[0] > 0) parts[monthKey(p.source.name, k.slice(1))] = d;
  return parts;
}

/** The sources a set of units reads, each once, with every look-back they need. */
export function sourceNeeds(units: readonly UnitInputs[]): SourceNeed[] {
  const by = new Map<
    string,
    { source: DigestSource; backs: Map<string, SourceNeed['backs'][number]> }
  >();
  for (const u of units)
    for (const p of u.parts) {
      let e = by.get(p.source.name);
      if (!e) {
        e = { source: p.source, backs: new Map() };
        by.set(p.source.name, e);
      }
      if (p.kind === 'back')
        e.backs.set(`${formatMonth(p.month)}#${p.n}`, { month: p.month, n: p.n });
    }
  return [...by.values()].map((e) => ({ source: e.source, backs: [...e.backs.values()] }));
}

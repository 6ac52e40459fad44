import type pg from 'pg';
import { keptDigestsNow } from '../../db/fingerprint/digestCache.js';
import {
  computeFingerprint,
  type Fingerprint,
  type UnitInputs,
} from '../../db/fingerprint/fingerprint.js';
import { inSnapshot } from '../io/readInSnapshot.js';
import type { UnitContext } from '../io/unitContext.js';
import type { TrackName } from '../protocol/events.js';
import { unitInputsResolver } from './unitInputs.js';

/**
 * `readInSnapshot` that also takes the unit's fingerprint: the input and the digests of
 * what the unit reads come from one `REPEATABLE READ READ ONLY` snapshot, on one session,
 * so what the unit computes from and what it records describe the same rows.
 */
export function readFingerprinted<T>(
  ctx: UnitContext,
  track: TrackName,
  unit: string,
  read: (c: pg.ClientBase) => Promise<T>,
): Promise<{ value: T; fingerprint: Fingerprint }> {
  return ctx.withPgClient(async (client) => {
    const inputs = await unitInputsResolver(client, ctx.settings)(track, unit);
    return inSnapshot(client, async (c) => {
      const value = await read(c);
      return { value, fingerprint: await unitFingerprint(c, inputs) };
    });
  });
}

/**
 * A unit's fingerprint in the snapshot `client` is in: the plan's kept digests of the
 * sources unchanged since it hashed them (`keptDigestsNow`), the others hashed here. The
 * plan has just hashed every source a run's units read, so a unit seldom hashes: Track 3's
 * five whole tables cost as much as its COPY (bench: docs/performance.md).
 */
export async function unitFingerprint(
  client: pg.ClientBase,
  inputs: UnitInputs,
): Promise<Fingerprint> {
  const sources = [...new Map(inputs.parts.map((p) => [p.source.name, p.source])).values()];
  const kept = await keptDigestsNow(client, sources);
  return computeFingerprint(client, inputs, { kept });
}

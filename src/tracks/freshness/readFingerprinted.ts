import type pg from 'pg';
import { computeFingerprint, type Fingerprint } from '../../db/fingerprint/fingerprint.js';
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
      return { value, fingerprint: await computeFingerprint(c, inputs) };
    });
  });
}

import type pg from 'pg';
import type { Fingerprint } from '../../db/fingerprint/fingerprint.js';
import { readWithFingerprint } from '../../db/fingerprint/fingerprint.js';
import type { UnitContext } from '../io/unitContext.js';
import type { TrackName } from '../protocol/events.js';
import { unitInputsResolver } from './unitInputs.js';

/**
 * Reads a unit's input and its fingerprint in one `REPEATABLE READ READ ONLY` snapshot, on
 * one session: what the unit computes from and what it records describe the same rows.
 */
export function readFingerprinted<T>(
  ctx: UnitContext,
  track: TrackName,
  unit: string,
  read: (c: pg.ClientBase) => Promise<T>,
): Promise<{ value: T; fingerprint: Fingerprint }> {
  return ctx.withPgClient(async (c) => {
    const inputs = await unitInputsResolver(c, ctx.settings)(track, unit);
    return readWithFingerprint(c, inputs, read);
  });
}

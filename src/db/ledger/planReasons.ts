import type pg from 'pg';
import { META_SCHEMA } from '../dataset.js';
import { DIGEST_SCHEME } from '../fingerprint/digestSql.js';
import type { Fingerprint } from '../fingerprint/fingerprint.js';

/** A unit the plan enqueued, and why (`never run`, `values changed`, …). */
export interface PlannedReason {
  readonly track: string;
  readonly unit: string;
  readonly reason: string;
}

/**
 * Keeps why each enqueued unit runs: its outcome's history row takes the reason when it is
 * recorded (`recordOutcome`), so the post-run report can say why each unit ran.
 */
export async function writePlanReasons(
  client: pg.ClientBase,
  units: readonly PlannedReason[],
): Promise<void> {
  if (units.length === 0) return;
  await client.query(
    `INSERT INTO ${META_SCHEMA}.unit_reasons (track, unit, reason)
     SELECT * FROM unnest($1::text[], $2::text[], $3::text[])
     ON CONFLICT (track, unit) DO UPDATE SET reason = EXCLUDED.reason, planned_at = now()`,
    [units.map((u) => u.track), units.map((u) => u.unit), units.map((u) => u.reason)],
  );
}

/**
 * Gives outcomes recorded before fingerprints existed, or with digests of an older scheme,
 * the fingerprint of the sources now (adoption: the plan found their recorded row counts
 * equal to the sources'). Only such rows are touched.
 */
export async function adoptFingerprints(
  client: pg.ClientBase,
  units: ReadonlyArray<{ track: string; unit: string; fingerprint: Fingerprint }>,
): Promise<void> {
  if (units.length === 0) return;
  await client.query(
    `UPDATE ${META_SCHEMA}.unit_results r SET fingerprint = u.f
       FROM unnest($1::text[], $2::text[], $3::jsonb[]) AS u(t, n, f)
      WHERE r.track = u.t AND r.unit = u.n AND r.status <> 'failed'
        AND (r.fingerprint IS NULL OR coalesce((r.fingerprint->>'digest')::int, 1) <> $4)`,
    [
      units.map((u) => u.track),
      units.map((u) => u.unit),
      units.map((u) => JSON.stringify(u.fingerprint)),
      DIGEST_SCHEME,
    ],
  );
}

import type { TrackName } from '../protocol/events.js';

/**
 * The version of each track's feature code. Bump a track's number in the same commit as a
 * change of its formulas or of its output's conventions (columns, units, NULL rules): every
 * output computed by an older version becomes stale, and the next run recomputes it
 * (`feature code v1 → v2`).
 */
export const CODE_VERSIONS: Readonly<Record<TrackName, number>> = {
  bollinger: 1,
  regression: 1,
  extraction: 1,
};

/**
 * For tests only: `BQX_MONITOR_TEST_CODE_VERSIONS=bollinger=2,extraction=3` overrides the
 * versions above, so that a test can see what an upgrade of one track does. Read here and
 * nowhere else.
 */
export const TEST_CODE_VERSIONS_ENV = 'BQX_MONITOR_TEST_CODE_VERSIONS';

/** The code version of a track's units (with the tests' override, when set). */
export function codeVersion(track: TrackName): number {
  for (const item of (process.env[TEST_CODE_VERSIONS_ENV] ?? '').split(',')) {
    const [name, v] = item.split('=');
    if (name === track && Number.isInteger(Number(v))) return Number(v);
  }
  return CODE_VERSIONS[track];
}

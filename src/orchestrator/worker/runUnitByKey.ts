import { parseMonth } from '../../config/months.js';
import type { UnitOutcome } from '../../db/ledger/results.js';
import { runBollingerUnit } from '../../tracks/bollinger/runUnit.js';
import { runExtractionUnit } from '../../tracks/extraction/runUnit.js';
import type { UnitContext } from '../../tracks/io/unitContext.js';
import type { TrackName } from '../../tracks/protocol/events.js';
import { runRegressionUnit } from '../../tracks/regression/runUnit.js';

/** Where Track 3 writes and how it compresses. */
export interface ExtractionOptions {
  readonly outDir: string;
  readonly compression: 'zstd' | 'snappy' | 'none';
}

/** Runs one unit given its key (`eurusd/2024-08`, or `eurusd` for extraction). */
export function runUnitByKey(
  ctx: UnitContext,
  track: TrackName,
  unit: string,
  extraction: ExtractionOptions,
): Promise<UnitOutcome> {
  if (track === 'extraction') {
    if (!/^[a-z]{6}$/.test(unit)) throw new Error(`not an extraction unit: ${unit}`);
    return runExtractionUnit(ctx, unit, extraction);
  }
  const [pair, monthText] = unit.split('/');
  const month = monthText === undefined ? undefined : parseMonth(monthText);
  if (!pair || !/^[a-z]{6}$/.test(pair) || !month) throw new Error(`not a month unit: ${unit}`);
  return track === 'bollinger'
    ? runBollingerUnit(ctx, pair, month)
    : runRegressionUnit(ctx, pair, month);
}

import { parseMonth } from '../../config/months.js';
import type { UnitOutcome } from '../../db/ledger/results.js';
import type { UnitContext } from '../../tracks/io/unitContext.js';
import type { TrackName } from '../../tracks/protocol/events.js';

/** Where Track 3 writes and how it compresses. */
export interface ExtractionOptions {
  readonly outDir: string;
  readonly compression: 'zstd' | 'snappy' | 'none';
}

/**
 * Runs one unit given its key (`eurusd/2024-08`, or `eurusd` for extraction). A worker
 * loads only its own track's runner (Track 3's brings Arrow and Parquet).
 */
export async function runUnitByKey(
  ctx: UnitContext,
  track: TrackName,
  unit: string,
  extraction: ExtractionOptions,
): Promise<UnitOutcome> {
  if (track === 'extraction') {
    if (!/^[a-z]{6}$/.test(unit)) throw new Error(`not an extraction unit: ${unit}`);
    const { runExtractionUnit } = await import('../../tracks/extraction/runUnit.js');
    return runExtractionUnit(ctx, unit, extraction);
  }
  const [pair, monthText] = unit.split('/');
  const month = monthText === undefined ? undefined : parseMonth(monthText);
  if (!pair || !/^[a-z]{6}$/.test(pair) || !month) throw new Error(`not a month unit: ${unit}`);
  if (track === 'bollinger') {
    const { runBollingerUnit } = await import('../../tracks/bollinger/runUnit.js');
    return runBollingerUnit(ctx, pair, month);
  }
  const { runRegressionUnit } = await import('../../tracks/regression/runUnit.js');
  return runRegressionUnit(ctx, pair, month);
}

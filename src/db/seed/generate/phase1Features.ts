import type { Phase1Table } from '../../contract/columns.js';
import type { M1Bars } from './m1Bars.js';
import { bollingerRate } from './phase1/bollingerRate.js';
import { spreadFeatures } from './phase1/spreadFeatures.js';
import { statisticsRate } from './phase1/statisticsRate.js';
import { timeFeatures } from './phase1/timeFeatures.js';
import { volumeFeatures } from './phase1/volumeFeatures.js';

/** A Phase-1 column: doubles and integers as Float64Array (NaN = NULL), bool as 0/1, text. */
export type Phase1Column = Float64Array | Uint8Array | string[];

/** The five Phase-1 tables of a pair, columnar, one row per bar (ts_utc = bar time). */
export type Phase1Data = Record<Phase1Table, Record<string, Phase1Column>>;

/**
 * One Phase-1 table's columns from the bars (formulas: docs/demo-data.md). Computed one
 * table at a time, so a loader holds one table's columns, not all 81.
 */
export function computePhase1Table(bars: M1Bars, table: Phase1Table): Record<string, Phase1Column> {
  switch (table) {
    case 'bollinger_rate':
      return bollingerRate(bars);
    case 'statistics_rate':
      return statisticsRate(bars);
    case 'volume_features':
      return volumeFeatures(bars);
    case 'spread_features':
      return spreadFeatures(bars);
    case 'time_features': {
      const time = timeFeatures(bars);
      return {
        ...time.numeric,
        is_weekend_approach: time.is_weekend_approach,
        trading_session: time.trading_session,
      };
    }
  }
}

/** Computes all 81 Phase-1 columns from the bars. */
export function computePhase1(bars: M1Bars): Phase1Data {
  return {
    bollinger_rate: computePhase1Table(bars, 'bollinger_rate'),
    statistics_rate: computePhase1Table(bars, 'statistics_rate'),
    volume_features: computePhase1Table(bars, 'volume_features'),
    spread_features: computePhase1Table(bars, 'spread_features'),
    time_features: computePhase1Table(bars, 'time_features'),
  };
}

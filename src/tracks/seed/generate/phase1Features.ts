import type { Phase1Table } from '../../../db/contract/columns.js';
import type { M1Bars } from './m1Bars.js';
import { bollingerRate } from './phase1/bollingerRate.js';
import { spreadFeatures } from './phase1/spreadFeatures.js';
import { statisticsRate } from './phase1/statisticsRate.js';
import { timeFeatures } from './phase1/timeFeatures.js';
import { volumeFeatures } from './phase1/volumeFeatures.js';

/** A Phase-1 column: doubles and integers as Float64Array (NaN = NULL), bool as 0/1, text. */
export type Phase1Column = Float64Array | Uint8Array | string[];

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

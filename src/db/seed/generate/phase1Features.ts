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

/** Computes all 81 Phase-1 columns from the bars (formulas: docs/demo-data.md). */
export function computePhase1(bars: M1Bars): Phase1Data {
  const time = timeFeatures(bars);
  return {
    bollinger_rate: bollingerRate(bars),
    statistics_rate: statisticsRate(bars),
    volume_features: volumeFeatures(bars),
    spread_features: spreadFeatures(bars),
    time_features: {
      ...time.numeric,
      is_weekend_approach: time.is_weekend_approach,
      trading_session: time.trading_session,
    },
  };
}

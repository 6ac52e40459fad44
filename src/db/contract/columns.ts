/**
 * Column lists of the schema contract (docs/spec/SCHEMA.md, docs/spec/FEATURES.md), in contract order.
 * Logical names only: physical names may be renamed by config (see src/config).
 */

/** Logical column types the contract knows. */
export type ColumnType =
  | 'timestamp'
  | 'timestamptz'
  | 'float8'
  | 'int2'
  | 'int4'
  | 'int8'
  | 'bool'
  | 'text';

/** One column of a contract table. */
export interface ColumnSpec {
  readonly name: string;
  readonly type: ColumnType;
}

const f8 = (name: string): ColumnSpec => ({ name, type: 'float8' });

/** BQX backward windows (docs/spec/SCHEMA.md). */
export const BQX_WINDOWS = [15, 30, 45, 60, 75] as const;
export const BQX_WINDOW_METRICS = ['return', 'max', 'min', 'avg', 'stdev', 'endpoint'] as const;
export const BQX_AGG_METRICS = [
  'return',
  'max',
  'min',
  'avg',
  'stdev',
  'range',
  'volatility',
] as const;

export const M1_COLUMNS: readonly ColumnSpec[] = [
  { name: 'time', type: 'timestamp' },
  f8('open'),
  f8('high'),
  f8('low'),
  f8('close'),
  { name: 'volume', type: 'int8' },
  f8('spread'),
  f8('rate_index'),
];

export const BQX_FEATURE_COLUMNS: readonly string[] = [
  ...BQX_WINDOWS.flatMap((w) => BQX_WINDOW_METRICS.map((m) => `w${w}_bqx_${m}`)),
  ...BQX_AGG_METRICS.map((m) => `agg_bqx_${m}`),
];

export const BQX_COLUMNS: readonly ColumnSpec[] = [
  { name: 'ts_utc', type: 'timestamptz' },
  f8('rate_index'),
  ...BQX_FEATURE_COLUMNS.map(f8),
];

/** The five Phase-1 tables read by Track 3, with their 81 feature columns in order. */
export const PHASE1_TABLES = {
  bollinger_rate: [
    'bollinger_upper_20',
    'bollinger_middle_20',
    'bollinger_lower_20',
    'bollinger_width_20',
    'bollinger_percent_b',
    'bb_upper_30',
    'bb_middle_30',
    'bb_lower_30',
    'bb_width_30',
    'bb_upper_60',
    'bb_middle_60',
    'bb_lower_60',
    'bb_width_60',
    'bb_percent_b_60',
    'bb_upper_120',
    'bb_middle_120',
    'bb_lower_120',
    'bb_width_120',
    'bb_slope_20',
    'bb_slope_60',
  ].map(f8),
  statistics_rate: [
    'skewness_60min',
    'kurtosis_60min',
    'median_absolute_deviation_60min',
    'entropy_60min',
    'autocorrelation_lag1',
    'mean_5min',
    'mean_15min',
    'mean_30min',
    'mean_60min',
    'mean_120min',
    'std_5min',
    'std_15min',
    'std_30min',
    'std_60min',
    'std_120min',
    'skew_5min',
    'skew_15min',
    'skew_30min',
    'skew_120min',
    'kurt_5min',
    'kurt_15min',
    'kurt_30min',
    'kurt_120min',
  ].map(f8),
  volume_features: [
    'w15_volume_ratio',
    'w30_volume_ratio',
    'w60_volume_ratio',
    'volume_spike',
    'volume_trend_slope',
    'cumulative_volume_60min',
    'volume_weighted_return',
    'volume_price_correlation_60min',
    'relative_volume_position',
    'volume_volatility_60min',
  ].map(f8),
  spread_features: [
    ...[
      'spread_mean_60min',
      'spread_volatility_60min',
      'spread_pct_of_rate',
      'spread_trend_slope',
      'spread_spike',
      'bid_ask_imbalance',
      'effective_spread',
      'quoted_spread',
      'realized_spread',
      'price_impact',
      'roll_cost',
      'bid_depth',
      'ask_depth',
      'depth_imbalance',
      'spread_range_60min',
      'spread_percentile_60min',
      'mid_price_volatility',
    ].map(f8),
    { name: 'tick_direction', type: 'int2' },
    { name: 'tick_rule', type: 'int2' },
    f8('order_flow_toxicity'),
  ],
  time_features: [
    f8('hour_sin'),
    f8('hour_cos'),
    f8('day_of_week_sin'),
    f8('day_of_week_cos'),
    { name: 'session_overlap', type: 'int2' },
    { name: 'is_weekend_approach', type: 'bool' },
    { name: 'minutes_since_market_open', type: 'int4' },
    { name: 'trading_session', type: 'text' },
  ],
} as const satisfies Record<string, readonly ColumnSpec[]>;

/** Logical names of the Phase-1 tables, in docs/spec/SCHEMA.md order (the Parquet column order). */
export type Phase1Table = keyof typeof PHASE1_TABLES;
export const PHASE1_TABLE_NAMES = Object.keys(PHASE1_TABLES) as Phase1Table[];

/** Track 1 output columns (docs/spec/FEATURES.md): 4 windows x 5 + 2 slopes = 22. */
export const BOLLINGER_WINDOWS = [20, 30, 60, 120] as const;
export const BOLLINGER_BQX_COLUMNS: readonly string[] = [
  ...BOLLINGER_WINDOWS.flatMap((n) => [
    `bb_upper_${n}`,
    `bb_middle_${n}`,
    `bb_lower_${n}`,
    `bb_width_${n}`,
    `bb_percent_b_${n}`,
  ]),
  'bb_slope_20',
  'bb_slope_60',
];

/** Track 2 windows (docs/spec/FEATURES.md), by column suffix. */
export const REG_WINDOWS = [
  ['w15', 15],
  ['w30', 30],
  ['w45', 45],
  ['w60', 60],
  ['w75', 75],
  ['agg', 90],
] as const;
export const REG_METRICS = [
  'a2',
  'a1',
  'b',
  'r2',
  'rmse',
  'residual_mean',
  'residual_std',
  'prediction',
  'pred_interval_lower',
  'pred_interval_upper',
  'vertex_x',
  'vertex_y',
  'curvature',
  'fit_quality',
  'extrapolation_error',
] as const;
export type RegMetric = (typeof REG_METRICS)[number];
export type RegDomain = 'idx' | 'bqx';

/** The 90 columns of one Track 2 output table, window-major then metric. */
export function regColumns(domain: RegDomain): string[] {
  return REG_WINDOWS.flatMap(([suffix]) => REG_METRICS.map((m) => `${m}_${domain}_${suffix}`));
}

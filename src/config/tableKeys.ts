/** Logical table names a config may rename (docs/spec/SCHEMA.md). */
export const TABLE_KEYS = [
  'm1',
  'bqx',
  'bollinger_rate',
  'statistics_rate',
  'volume_features',
  'spread_features',
  'time_features',
  'bollinger_bqx',
  'reg_rate',
  'reg_bqx',
] as const;
export type TableKey = (typeof TABLE_KEYS)[number];

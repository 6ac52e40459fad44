import type { TableKey } from '../../config/schema.js';
import {
  BOLLINGER_BQX_COLUMNS,
  BQX_COLUMNS,
  type ColumnSpec,
  M1_COLUMNS,
  PHASE1_TABLES,
  regColumns,
} from './columns.js';

/** Which track reads or writes a table. */
export type TrackName = 'bollinger' | 'regression' | 'extraction';

/** One table of the contract (docs/spec/SCHEMA.md), with logical names. */
export interface TableSpec {
  readonly key: TableKey;
  readonly role: 'source' | 'output';
  readonly columns: readonly ColumnSpec[];
  /** The time column (the key of every table). */
  readonly timeColumn: string;
  /** Partitioned by range of the time column, one partition a month. */
  readonly monthlyPartitions: boolean;
  /** Tracks that need this table. */
  readonly usedBy: readonly TrackName[];
}

const ts: ColumnSpec = { name: 'ts_utc', type: 'timestamptz' };
const f8 = (name: string): ColumnSpec => ({ name, type: 'float8' });

function phase1(key: keyof typeof PHASE1_TABLES): TableSpec {
  return {
    key,
    role: 'source',
    columns: [ts, ...PHASE1_TABLES[key]],
    timeColumn: 'ts_utc',
    monthlyPartitions: false,
    usedBy: ['extraction'],
  };
}

/** Every table of docs/spec/SCHEMA.md, by logical key. */
export const CONTRACT: Readonly<Record<TableKey, TableSpec>> = {
  m1: {
    key: 'm1',
    role: 'source',
    columns: M1_COLUMNS,
    timeColumn: 'time',
    monthlyPartitions: false,
    usedBy: ['regression'],
  },
  bqx: {
    key: 'bqx',
    role: 'source',
    columns: BQX_COLUMNS,
    timeColumn: 'ts_utc',
    monthlyPartitions: true,
    usedBy: ['bollinger', 'regression'],
  },
  bollinger_rate: phase1('bollinger_rate'),
  statistics_rate: phase1('statistics_rate'),
  volume_features: phase1('volume_features'),
  spread_features: phase1('spread_features'),
  time_features: phase1('time_features'),
  bollinger_bqx: {
    key: 'bollinger_bqx',
    role: 'output',
    columns: [ts, ...BOLLINGER_BQX_COLUMNS.map(f8)],
    timeColumn: 'ts_utc',
    monthlyPartitions: true,
    usedBy: ['bollinger'],
  },
  reg_rate: {
    key: 'reg_rate',
    role: 'output',
    columns: [ts, ...regColumns('idx').map(f8)],
    timeColumn: 'ts_utc',
    monthlyPartitions: true,
    usedBy: ['regression'],
  },
  reg_bqx: {
    key: 'reg_bqx',
    role: 'output',
    columns: [ts, ...regColumns('bqx').map(f8)],
    timeColumn: 'ts_utc',
    monthlyPartitions: true,
    usedBy: ['regression'],
  },
};

import { formatMonth } from '../../config/months.js';
import { computeBqxWindows } from '../kernels/bqxWindows.js';
import { BQX_FEATURE_COLUMNS, PHASE1_TABLE_NAMES } from '../../db/contract/columns.js';
import { CONTRACT } from '../../db/contract/tables.js';
import type { BinaryColumn } from '../../db/copy/binaryColumns.js';
import { generateM1Bars, type M1Bars } from './generate/m1Bars.js';
import { computePhase1Table, type Phase1Column } from './generate/phase1Features.js';
import type { SeedPlan } from './presets.js';
import type { SOURCE_TABLE_KEYS } from './sourceDdl.js';

/** A source table's generated contents: its columns in contract order, as wire types. */
export interface SeedTable {
  readonly key: (typeof SOURCE_TABLE_KEYS)[number];
  /** Bar times (epoch ms, ascending): the rows' key, for splitting by month. */
  readonly time: Float64Array;
  readonly columns: readonly BinaryColumn[];
}

/** A generated column as the wire type of its contract column. */
function asBinary(type: string, values: Phase1Column | Float64Array): BinaryColumn {
  switch (type) {
    case 'float8':
    case 'int2':
    case 'int4':
    case 'int8':
      return { type, values: values as Float64Array };
    case 'bool':
      return { type, values: values as Uint8Array };
    case 'text':
      return { type, values: values as string[] };
    default:
      throw new Error(`unexpected source column type ${type}`);
  }
}

/** Columns of a table from values by logical name, the time column first. */
function tableColumns(
  key: SeedTable['key'],
  time: Float64Array,
  values: (name: string) => Phase1Column | Float64Array | undefined,
): BinaryColumn[] {
  const [first, ...rest] = CONTRACT[key].columns;
  if (!first) throw new Error(`table ${key} has no columns`);
  return [
    { type: 'timestamp', ms: time },
    ...rest.map((c) => {
      const v = values(c.name);
      if (!v) throw new Error(`the generator made no column ${key}.${c.name}`);
      return asBinary(c.type, v);
    }),
  ];
}

/**
 * One pair's seven source tables, generated one at a time as they are pulled (docs/demo-data.md):
 * the bars once, then each table's columns, so a loader holds one table's columns, not all
 * 120. Pure: same plan and pair, same values.
 */
export function* pairTables(plan: SeedPlan, pair: string): Generator<SeedTable> {
  const bars: M1Bars = generateM1Bars({
    pair,
    from: formatMonth(plan.data.from),
    to: formatMonth(plan.data.to),
    seed: plan.seed,
  });
  const time = bars.time;
  const m1: Record<string, Float64Array> = {
    open: bars.open,
    high: bars.high,
    low: bars.low,
    close: bars.close,
    volume: bars.volume,
    spread: bars.spread,
    rate_index: bars.rateIndex,
  };
  yield { key: 'm1', time, columns: tableColumns('m1', time, (n) => m1[n]) };
  const bqx = computeBqxWindows(bars.rateIndex);
  const bqxValues = (n: string) => (n === 'rate_index' ? bars.rateIndex : bqx[n]);
  if (BQX_FEATURE_COLUMNS.some((c) => !bqx[c])) throw new Error('bqx columns missing');
  yield { key: 'bqx', time, columns: tableColumns('bqx', time, bqxValues) };
  for (const key of PHASE1_TABLE_NAMES) {
    const data = computePhase1Table(bars, key);
    yield { key, time, columns: tableColumns(key, time, (n) => data[n]) };
  }
}

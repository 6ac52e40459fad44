import type pg from 'pg';
import type { Settings } from '../../config/load.js';
import { formatMonth } from '../../config/months.js';
import type { TableKey } from '../../config/schema.js';
import { computeBqxWindows } from '../../tracks/kernels/bqxWindows.js';
import { BQX_FEATURE_COLUMNS, PHASE1_TABLES, type Phase1Table } from '../contract/columns.js';
import { columnName, tableName } from '../contract/physical.js';
import { CONTRACT } from '../contract/tables.js';
import { copyIn } from '../copy/copyIn.js';
import {
  encodeFloat,
  encodeInt,
  encodeText,
  encodeTimestamp,
  encodeTimestamptz,
} from '../copy/encode.js';
import { META_SCHEMA } from '../dataset.js';
import { ident } from '../sql/ident.js';
import { generateM1Bars } from './generate/m1Bars.js';
import { computePhase1 } from './generate/phase1Features.js';
import type { SeedPlan } from './presets.js';
import { m1IndexDdl, sourceTablesDdl } from './sourceDdl.js';

/** Progress of the seeder, one event per table loaded. */
export interface SeedProgress {
  readonly pair: string;
  readonly pairIndex: number;
  readonly table: string;
  readonly rows: number;
}

function physicalColumns(settings: Settings, key: TableKey): string[] {
  return CONTRACT[key].columns.map((c) => columnName(settings, key, c.name));
}

async function loadPair(
  client: pg.ClientBase,
  settings: Settings,
  plan: SeedPlan,
  pair: string,
  report: (table: string, rows: number) => void,
): Promise<number> {
  const bars = generateM1Bars({
    pair,
    from: formatMonth(plan.data.from),
    to: formatMonth(plan.data.to),
    seed: plan.seed,
  });
  const n = bars.time.length;
  const bqx = computeBqxWindows(bars.rateIndex);
  const phase1 = computePhase1(bars);
  const target = (key: TableKey) => ({
    schema: settings.schema,
    table: tableName(settings, key, pair),
    columns: physicalColumns(settings, key),
  });
  await client.query(sourceTablesDdl(client, settings, pair, plan.data).join(';\n'));
  await copyIn(client, target('m1'), n, (i) => [
    encodeTimestamp(bars.time[i]!),
    encodeFloat(bars.open[i]!),
    encodeFloat(bars.high[i]!),
    encodeFloat(bars.low[i]!),
    encodeFloat(bars.close[i]!),
    encodeInt(bars.volume[i]!),
    encodeFloat(bars.spread[i]!),
    encodeFloat(bars.rateIndex[i]!),
  ]);
  report(target('m1').table, n);
  const bqxCols = BQX_FEATURE_COLUMNS.map((c) => bqx[c]!);
  await copyIn(client, target('bqx'), n, (i) => [
    encodeTimestamptz(bars.time[i]!),
    encodeFloat(bars.rateIndex[i]!),
    ...bqxCols.map((col) => encodeFloat(col[i]!)),
  ]);
  report(target('bqx').table, n);
  for (const key of Object.keys(PHASE1_TABLES) as Phase1Table[]) {
    const data = phase1[key];
    const encoders = PHASE1_TABLES[key].map((spec): ((i: number) => string) => {
      const col = data[spec.name];
      switch (spec.type) {
        case 'float8':
          return (i) => encodeFloat((col as Float64Array)[i]!);
        case 'int2':
        case 'int4':
          return (i) => encodeInt((col as Float64Array)[i]!);
        case 'bool':
          return (i) => ((col as Uint8Array)[i] ? 't' : 'f');
        case 'text':
          return (i) => encodeText((col as string[])[i]!);
        default:
          throw new Error(`unexpected Phase-1 column type ${spec.type}`);
      }
    });
    await copyIn(client, target(key), n, (i) => [
      encodeTimestamptz(bars.time[i]!),
      ...encoders.map((e) => e(i)),
    ]);
    report(target(key).table, n);
  }
  await client.query(m1IndexDdl(settings, pair));
  return n;
}

/** Records what was seeded, so runs over this database plan the seeded pairs and months. */
async function recordDataset(client: pg.ClientBase, plan: SeedPlan): Promise<void> {
  await client.query(`CREATE SCHEMA IF NOT EXISTS ${META_SCHEMA}`);
  await client.query(`CREATE TABLE IF NOT EXISTS ${META_SCHEMA}.dataset (
      id int PRIMARY KEY CHECK (id = 1), preset text NOT NULL, seed bigint NOT NULL,
      pairs text[] NOT NULL, data_from text NOT NULL, data_to text NOT NULL,
      bollinger_from text NOT NULL, bollinger_to text NOT NULL,
      regression_from text NOT NULL, regression_to text NOT NULL,
      seeded_at timestamptz NOT NULL DEFAULT now())`);
  await client.query(
    `INSERT INTO ${META_SCHEMA}.dataset (id, preset, seed, pairs, data_from, data_to,
        bollinger_from, bollinger_to, regression_from, regression_to)
     VALUES (1, $1, $2, $3, $4, $5, $6, $7, $8, $9)
     ON CONFLICT (id) DO UPDATE SET preset = $1, seed = $2, pairs = $3, data_from = $4,
        data_to = $5, bollinger_from = $6, bollinger_to = $7, regression_from = $8,
        regression_to = $9, seeded_at = now()`,
    [
      plan.preset,
      plan.seed,
      plan.pairs,
      formatMonth(plan.data.from),
      formatMonth(plan.data.to),
      formatMonth(plan.bollinger.from),
      formatMonth(plan.bollinger.to),
      formatMonth(plan.regression.from),
      formatMonth(plan.regression.to),
    ],
  );
}

/**
 * Generates and bulk-loads the demo dataset: each pair's seven source tables are replaced
 * in one transaction, so an interrupted seed never leaves a half-loaded pair.
 */
export async function seedDataset(
  client: pg.ClientBase,
  settings: Settings,
  plan: SeedPlan,
  onProgress: (p: SeedProgress) => void = () => {},
): Promise<{ bars: number }> {
  await client.query(`CREATE SCHEMA IF NOT EXISTS ${ident(settings.schema)}`);
  let bars = 0;
  for (const [pairIndex, pair] of plan.pairs.entries()) {
    await client.query('BEGIN');
    try {
      bars += await loadPair(client, settings, plan, pair, (table, rows) =>
        onProgress({ pair, pairIndex, table, rows }),
      );
      await client.query('COMMIT');
    } catch (err) {
      await client.query('ROLLBACK').catch(() => {});
      throw err;
    }
  }
  await recordDataset(client, plan);
  return { bars };
}

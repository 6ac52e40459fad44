import type pg from 'pg';
import type { Settings } from '../../config/load.js';
import { type Month, parseMonth } from '../../config/months.js';
import type { TableKey } from '../../config/schema.js';
import { PHASE1_TABLE_NAMES } from '../../db/contract/columns.js';
import { CONTRACT } from '../../db/contract/tables.js';
import type { DigestSource } from '../../db/fingerprint/digestSql.js';
import type { InputPart, UnitInputs } from '../../db/fingerprint/fingerprint.js';
import { BOLLINGER_LOOKBACK } from '../bollinger/loadInput.js';
import type { TrackName } from '../protocol/events.js';
import { REGRESSION_LOOKBACK } from '../regression/loadInput.js';
import { sourceTable } from '../io/sourceTime.js';
import { codeVersion } from './codeVersions.js';

/**
 * What each unit reads, as digests see it (docs/freshness.md): Track 1, `bqx_{pair}`'s
 * input column over its month and the 120 rows before it; Track 2, `m1_{pair}.rate_index`
 * and `bqx_{pair}.w15_bqx_return` over its month and the 89 rows of each before it (the
 * joined look-back, when every minute joins); Track 3, every column of the five Phase-1
 * tables, month by month.
 */
export type InputsOf = (track: TrackName, unit: string) => Promise<UnitInputs>;

/** The settings of a track that shape its output, as recorded in its fingerprints. */
export function outputSettings(settings: Settings, track: TrackName): string {
  if (track === 'bollinger') return `input=${settings.bollingerInput}`;
  if (track === 'extraction') return `compression=${settings.compression}`;
  return '';
}

/** Resolves units' inputs on `client`, reading each source table's catalog facts once. */
export function unitInputsResolver(client: pg.ClientBase, settings: Settings): InputsOf {
  const sources = new Map<string, Promise<DigestSource>>();
  const source = (key: TableKey, pair: string, logical: readonly string[] | 'all') => {
    const id = `${key}/${pair}/${logical}`;
    let s = sources.get(id);
    if (!s) {
      s = digestSource(client, settings, key, pair, logical);
      sources.set(id, s);
    }
    return s;
  };
  return async (track, unit) => {
    const code = codeVersion(track);
    const out = outputSettings(settings, track);
    if (track === 'extraction') {
      const parts: InputPart[] = [];
      for (const key of PHASE1_TABLE_NAMES)
        parts.push({ kind: 'months', source: await source(key, unit, 'all') });
      return { code, settings: out, parts };
    }
    const [pair, m] = unit.split('/') as [string, string];
    const month = parseMonth(m) as Month;
    const reads: Array<[DigestSource, number]> =
      track === 'bollinger'
        ? [[await source('bqx', pair, [settings.bollingerInput]), BOLLINGER_LOOKBACK]]
        : [
            [await source('m1', pair, ['rate_index']), REGRESSION_LOOKBACK],
            [await source('bqx', pair, ['w15_bqx_return']), REGRESSION_LOOKBACK],
          ];
    const parts: InputPart[] = reads.flatMap(([s, n]) => [
      { kind: 'month' as const, source: s, month },
      { kind: 'back' as const, source: s, month, n },
    ]);
    return { code, settings: out, parts };
  };
}

/** A source table as its digests read it: physical names, time kind, the columns hashed. */
async function digestSource(
  client: pg.ClientBase,
  settings: Settings,
  key: TableKey,
  pair: string,
  logical: readonly string[] | 'all',
): Promise<DigestSource> {
  const src = await sourceTable(client, settings, key, pair);
  const spec = CONTRACT[key];
  const names =
    logical === 'all'
      ? spec.columns.filter((c) => c.name !== spec.timeColumn).map((c) => c.name)
      : logical;
  const columns = names.map((n) => ({
    name: src.column(n),
    float: (spec.columns.find((c) => c.name === n)?.type ?? 'float8') === 'float8',
  }));
  return {
    schema: settings.schema,
    table: src.table,
    time: src.time,
    kind: src.kind,
    columns,
    name: `${src.table}(${logical === 'all' ? '*' : columns.map((c) => c.name).join(',')})`,
  };
}

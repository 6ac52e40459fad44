import type { Settings } from '../../config/load.js';
import type { BinaryType } from '../../db/copy/binaryDecoder.js';
import { type ColumnSpec, PHASE1_TABLE_NAMES, PHASE1_TABLES } from '../../db/contract/columns.js';
import { columnName, tableName } from '../../db/contract/physical.js';
import { ident, qualified } from '../../db/sql/ident.js';
import { instantSql, type TimeKind } from '../io/timeColumn.js';

/** One output column of the extraction: its contract spec and how it travels on the wire. */
export interface ExtractColumn {
  readonly spec: ColumnSpec;
  readonly wire: BinaryType;
}

/** Catalog facts the query needs per Phase-1 table: time-column kind and column types. */
export type JoinCatalog = Readonly<
  Record<string, { kind: TimeKind; types: ReadonlyMap<string, string> }>
>;

const ALIASES = ['b', 's', 'v', 'p', 't'] as const;

/** The wire type (and SQL cast) of a contract column given its catalog type. */
function wireOf(
  spec: ColumnSpec,
  catalogType: string | undefined,
): { wire: BinaryType; cast: string } {
  switch (spec.type) {
    case 'float8':
      return { wire: 'float8', cast: 'float8' };
    case 'int2':
      // 16-bit stays 16-bit when it is; wider integer columns travel as int4 (FEATURES.md).
      return catalogType === 'smallint'
        ? { wire: 'int2', cast: 'int2' }
        : { wire: 'int4', cast: 'int4' };
    case 'int4':
      return { wire: 'int4', cast: 'int4' };
    case 'bool':
      return { wire: 'bool', cast: 'boolean' };
    case 'text':
      return { wire: 'text', cast: 'text' };
    default:
      throw new Error(`unexpected Phase-1 column type ${spec.type}`);
  }
}

/**
 * The inner join (`select`, unordered, for counting) and its
 * `COPY (…) TO STDOUT (FORMAT binary)` of the inner join of the five Phase-1 tables on
 * the UTC instant, ordered by time: `ts_utc` then the 81 columns in SCHEMA.md order.
 */
export function extractionCopySql(
  settings: Settings,
  pair: string,
  catalog: JoinCatalog,
): { select: string; copy: string; columns: ExtractColumn[] } {
  const columns: ExtractColumn[] = [];
  const select: string[] = [];
  const from: string[] = [];
  let firstInstant = '';
  PHASE1_TABLE_NAMES.forEach((key, i) => {
    const alias = ALIASES[i]!;
    const info = catalog[key];
    if (!info) throw new Error(`no catalog information for ${key}`);
    const time = columnName(settings, key, 'ts_utc');
    const instant = instantSql(time, info.kind, alias);
    const table = `${qualified(settings.schema, tableName(settings, key, pair))} ${alias}`;
    if (i === 0) {
      firstInstant = instant;
      select.push(`${instant} AS ts_utc`);
      from.push(table);
    } else {
      from.push(`JOIN ${table} ON ${instant} = ${firstInstant}`);
    }
    for (const spec of PHASE1_TABLES[key]) {
      const physical = columnName(settings, key, spec.name);
      const { wire, cast } = wireOf(spec, info.types.get(physical));
      select.push(`${alias}.${ident(physical)}::${cast}`);
      columns.push({ spec, wire });
    }
  });
  const query = `SELECT ${select.join(', ')} FROM ${from.join(' ')}`;
  return { select: query, copy: `COPY (${query} ORDER BY 1) TO STDOUT (FORMAT binary)`, columns };
}

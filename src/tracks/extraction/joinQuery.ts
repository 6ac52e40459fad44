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
      // 16-bit stays 16-bit when it is; wider integer columns travel as int4 (docs/spec/FEATURES.md).
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

/** The extraction's SQL: the rows, their count, and the COPY that streams them. */
export interface ExtractionSql {
  /** The join's rows with a finite key, unordered (`ts_utc` then the 81 columns). */
  readonly select: string;
  /** One row: `rows` (finite keys, what the file holds) and `infinite` (±infinity keys). */
  readonly count: string;
  /** `COPY (select ORDER BY 1) TO STDOUT (FORMAT binary)`. */
  readonly copy: string;
  readonly columns: ExtractColumn[];
}

/**
 * The inner join of the five Phase-1 tables on the UTC instant, ordered by time:
 * `ts_utc` then the 81 columns in docs/spec/SCHEMA.md order. A joined row whose key is ±infinity is
 * no instant Parquet's microsecond timestamps can hold: the same predicate leaves it out
 * of the COPY and out of the count (which reports how many it left out), so both agree
 * in one snapshot. The predicate is a range on the first table's own key column, which
 * the planner estimates from its statistics (a function call would be a blind guess).
 */
export function extractionCopySql(
  settings: Settings,
  pair: string,
  catalog: JoinCatalog,
): ExtractionSql {
  const columns: ExtractColumn[] = [];
  const select: string[] = [];
  const from: string[] = [];
  let firstInstant = '';
  let finite = '';
  PHASE1_TABLE_NAMES.forEach((key, i) => {
    const alias = ALIASES[i]!;
    const info = catalog[key];
    if (!info) throw new Error(`no catalog information for ${key}`);
    const time = columnName(settings, key, 'ts_utc');
    const instant = instantSql(time, info.kind, alias);
    const table = `${qualified(settings.schema, tableName(settings, key, pair))} ${alias}`;
    if (i === 0) {
      firstInstant = instant;
      // ±infinity read AT TIME ZONE 'UTC' stays ±infinity: the raw column decides alike.
      const keyColumn = `${ident(alias)}.${ident(time)}`;
      finite = `${keyColumn} > '-infinity' AND ${keyColumn} < 'infinity'`;
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
  const joined = from.join(' ');
  const query = `SELECT ${select.join(', ')} FROM ${joined} WHERE ${finite}`;
  return {
    select: query,
    count: `SELECT count(*) FILTER (WHERE ${finite})::int AS rows,
                   count(*) FILTER (WHERE NOT (${finite}))::int AS infinite FROM ${joined}`,
    copy: `COPY (${query} ORDER BY 1) TO STDOUT (FORMAT binary)`,
    columns,
  };
}

import type { Settings } from '../../config/load.js';
import { monthRange } from '../../config/months.js';
import type { TableKey } from '../../config/schema.js';
import type { ColumnSpec } from '../contract/columns.js';
import { columnName, partitionName, tableName } from '../contract/physical.js';
import { CONTRACT, type TableSpec, type TrackName } from '../contract/tables.js';
import type { Scope } from '../dataset.js';
import type { Catalog, CatalogTable } from './catalog.js';
import type { Finding } from './findings.js';
import { suggestNames } from './suggest.js';
import { CATALOG_NAME, isCompatible } from './types.js';

/** PostgreSQL 13 is the oldest with everything used here (partitioned PKs, COPY, etc.). */
export const MIN_SERVER_VERSION = 130000;

const KIND_NAMES: Record<string, string> = {
  v: 'view',
  m: 'materialized view',
  f: 'foreign table',
};

/** The logical columns a track needs from a table (Track 1 reads one configurable column). */
function neededColumns(spec: TableSpec, settings: Settings, tracks: readonly TrackName[]) {
  if (spec.key === 'bqx' && !tracks.includes('regression')) {
    const input = spec.columns.find((c) => c.name === settings.bollingerInput) ?? {
      name: settings.bollingerInput,
      type: 'float8' as const,
    };
    return [spec.columns[0]!, input];
  }
  if (spec.key === 'bqx' && settings.bollingerInput !== 'w15_bqx_return') {
    return [...spec.columns, { name: settings.bollingerInput, type: 'float8' as const }];
  }
  return spec.columns;
}

function checkColumns(
  table: CatalogTable,
  spec: TableSpec,
  columns: readonly ColumnSpec[],
  settings: Settings,
): Finding[] {
  const out: Finding[] = [];
  const physical = columns.map((c) => ({ ...c, physical: columnName(settings, spec.key, c.name) }));
  const claimed = new Set(physical.map((c) => c.physical));
  const leftovers = [...table.columns.keys()].filter((n) => !claimed.has(n));
  for (const c of physical) {
    const found = table.columns.get(c.physical);
    if (found === undefined) {
      const suggestions = suggestNames(c.physical, leftovers, table.columns.keys());
      out.push({
        kind: 'missing-column',
        severity: 'problem',
        table: table.name,
        column: c.physical,
        suggestions,
      });
    } else if (!isCompatible(c.type, found)) {
      out.push({
        kind: 'type-mismatch',
        severity: 'problem',
        table: table.name,
        column: c.physical,
        expected: CATALOG_NAME[c.type],
        found,
      });
    }
  }
  return out;
}

/** What checking one table needs besides the table's key and pair. */
interface CheckInput {
  readonly catalog: Catalog;
  readonly settings: Settings;
  readonly scope: Scope;
  readonly tracks: readonly TrackName[];
  /** Tables of the schema no expected name claims: where a missing table's name is sought. */
  readonly unclaimed: readonly string[];
}

/**
 * Compares the contract (for the given tracks, pairs and months) with the catalog and
 * returns every finding at once. Pure: the catalog was read beforehand.
 */
export function checkContract(
  catalog: Catalog,
  settings: Settings,
  scope: Scope,
  tracks: readonly TrackName[],
): Finding[] {
  const out = serverFindings(catalog);
  if (!catalog.schemaExists) {
    out.push({ kind: 'schema-missing', severity: 'problem', schema: settings.schema });
    return out;
  }
  if (!catalog.canUseSchema) {
    out.push(privilege(undefined, `USAGE on schema ${settings.schema}`));
  }
  const keys = (Object.keys(CONTRACT) as TableKey[]).filter((k) =>
    CONTRACT[k].usedBy.some((t) => tracks.includes(t)),
  );
  const input = {
    catalog,
    settings,
    scope,
    tracks,
    unclaimed: unclaimed(catalog, settings, scope, keys),
  };
  for (const pair of scope.pairs) {
    for (const key of keys) out.push(...tableFindings(input, key, pair));
  }
  return dedupe(out);
}

/** The server's own findings: too old a version. */
function serverFindings(catalog: Catalog): Finding[] {
  if (catalog.serverVersionNum >= MIN_SERVER_VERSION) return [];
  return [
    { kind: 'server-version', severity: 'problem', found: catalog.serverVersion, required: '13' },
  ];
}

/** A missing privilege, on a table or (undefined) on the schema. */
function privilege(table: string | undefined, needed: string): Finding {
  return { kind: 'privilege', severity: 'problem', table, needed };
}

/** The schema's tables (not partitions) that no expected table name claims. */
function unclaimed(
  catalog: Catalog,
  settings: Settings,
  scope: Scope,
  keys: readonly TableKey[],
): string[] {
  const expectedNames = new Set<string>();
  for (const pair of scope.pairs)
    for (const k of keys) expectedNames.add(tableName(settings, k, pair));
  return [...catalog.tables.keys()].filter(
    (n) => !expectedNames.has(n) && !catalog.tables.get(n)?.parent,
  );
}

/** The findings about one pair's table of one kind: its presence, columns, privileges. */
function tableFindings(input: CheckInput, key: TableKey, pair: string): Finding[] {
  const { catalog, settings, tracks } = input;
  const spec = CONTRACT[key];
  const name = tableName(settings, key, pair);
  const table = catalog.tables.get(name);
  if (!table) return missingTableFindings(input, key, name);
  if (table.kind !== 'r' && table.kind !== 'p' && spec.role === 'output') {
    const found = KIND_NAMES[table.kind] ?? table.kind;
    return [{ kind: 'not-a-table', severity: 'problem', table: name, found }];
  }
  const out = checkColumns(table, spec, neededColumns(spec, settings, tracks), settings);
  if (spec.role === 'source' && !table.canSelect) out.push(privilege(name, 'SELECT'));
  if (spec.role === 'output') out.push(...outputFindings(input, key, pair, table));
  return out;
}

/** The months a table of kind `key` is written for. */
function monthsOf(scope: Scope, key: TableKey) {
  return key === 'bollinger_bqx' ? scope.bollinger : scope.regression;
}

/** A missing table: an output is created (if the schema allows), a source is a problem. */
function missingTableFindings(input: CheckInput, key: TableKey, name: string): Finding[] {
  const { catalog, settings } = input;
  if (CONTRACT[key].role !== 'output') {
    const suggestions = suggestNames(name, input.unclaimed);
    return [{ kind: 'missing-table', severity: 'problem', table: name, suggestions }];
  }
  const months = monthsOf(input.scope, key);
  const count = monthRange(months.from, months.to).length;
  const out: Finding[] = [
    { kind: 'output-missing', severity: 'note', table: name, partitions: count },
  ];
  if (!catalog.canCreateInSchema)
    out.push(privilege(undefined, `CREATE on schema ${settings.schema}`));
  return out;
}

/** An existing output table: partitioned, writable, and its missing month partitions. */
function outputFindings(
  input: CheckInput,
  key: TableKey,
  pair: string,
  table: CatalogTable,
): Finding[] {
  const { catalog, settings } = input;
  const name = table.name;
  if (table.kind !== 'p') return [{ kind: 'not-partitioned', severity: 'problem', table: name }];
  const out: Finding[] = [];
  if (!table.canWrite) out.push(privilege(name, 'INSERT, DELETE'));
  const months = monthsOf(input.scope, key);
  const missing = monthRange(months.from, months.to)
    .map((m) => partitionName(settings, key, pair, m))
    .filter((p) => !table.partitions.has(p));
  if (missing.length > 0) {
    out.push({ kind: 'partitions-missing', severity: 'note', table: name, partitions: missing });
    if (!catalog.canCreateInSchema) {
      out.push(privilege(undefined, `CREATE on schema ${settings.schema}`));
    }
  }
  return out;
}

function dedupe(findings: Finding[]): Finding[] {
  const seen = new Set<string>();
  return findings.filter((f) => {
    const k = JSON.stringify(f);
    if (seen.has(k)) return false;
    seen.add(k);
    return true;
  });
}

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
  const out: Finding[] = [];
  if (catalog.serverVersionNum < MIN_SERVER_VERSION) {
    out.push({
      kind: 'server-version',
      severity: 'problem',
      found: catalog.serverVersion,
      required: '13',
    });
  }
  if (!catalog.schemaExists) {
    out.push({ kind: 'schema-missing', severity: 'problem', schema: settings.schema });
    return out;
  }
  if (!catalog.canUseSchema) {
    out.push({
      kind: 'privilege',
      severity: 'problem',
      table: undefined,
      needed: `USAGE on schema ${settings.schema}`,
    });
  }
  const keys = (Object.keys(CONTRACT) as TableKey[]).filter((k) =>
    CONTRACT[k].usedBy.some((t) => tracks.includes(t)),
  );
  const expectedNames = new Set<string>();
  for (const pair of scope.pairs)
    for (const k of keys) expectedNames.add(tableName(settings, k, pair));
  const unclaimed = [...catalog.tables.keys()].filter(
    (n) => !expectedNames.has(n) && !catalog.tables.get(n)?.parent,
  );
  for (const pair of scope.pairs) {
    for (const key of keys) {
      const spec = CONTRACT[key];
      const name = tableName(settings, key, pair);
      const table = catalog.tables.get(name);
      const months = key === 'bollinger_bqx' ? scope.bollinger : scope.regression;
      if (!table) {
        if (spec.role === 'output') {
          const count = monthRange(months.from, months.to).length;
          out.push({ kind: 'output-missing', severity: 'note', table: name, partitions: count });
          if (!catalog.canCreateInSchema) {
            out.push({
              kind: 'privilege',
              severity: 'problem',
              table: undefined,
              needed: `CREATE on schema ${settings.schema}`,
            });
          }
        } else {
          out.push({
            kind: 'missing-table',
            severity: 'problem',
            table: name,
            suggestions: suggestNames(name, unclaimed),
          });
        }
        continue;
      }
      if (table.kind !== 'r' && table.kind !== 'p' && spec.role === 'output') {
        out.push({
          kind: 'not-a-table',
          severity: 'problem',
          table: name,
          found: KIND_NAMES[table.kind] ?? table.kind,
        });
        continue;
      }
      out.push(...checkColumns(table, spec, neededColumns(spec, settings, tracks), settings));
      if (spec.role === 'source' && !table.canSelect) {
        out.push({ kind: 'privilege', severity: 'problem', table: name, needed: 'SELECT' });
      }
      if (spec.role === 'output') {
        if (table.kind !== 'p') {
          out.push({ kind: 'not-partitioned', severity: 'problem', table: name });
          continue;
        }
        if (!table.canWrite)
          out.push({
            kind: 'privilege',
            severity: 'problem',
            table: name,
            needed: 'INSERT, DELETE',
          });
        const missing = monthRange(months.from, months.to)
          .map((m) => partitionName(settings, key, pair, m))
          .filter((p) => !table.partitions.has(p));
        if (missing.length > 0) {
          out.push({
            kind: 'partitions-missing',
            severity: 'note',
            table: name,
            partitions: missing,
          });
          if (!catalog.canCreateInSchema) {
            out.push({
              kind: 'privilege',
              severity: 'problem',
              table: undefined,
              needed: `CREATE on schema ${settings.schema}`,
            });
          }
        }
      }
    }
  }
  return dedupe(out);
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

import type { ColumnType } from '../contract/columns.js';

/** Catalog type names (format_type) each contract type accepts. */
export const COMPATIBLE_TYPES: Readonly<Record<ColumnType, readonly string[]>> = {
  // Naive and aware timestamps are both normalised to UTC instants at the boundary.
  timestamp: ['timestamp without time zone', 'timestamp with time zone'],
  timestamptz: ['timestamp with time zone', 'timestamp without time zone'],
  float8: ['double precision', 'numeric', 'real'],
  int2: ['smallint', 'integer', 'bigint'],
  int4: ['integer', 'smallint', 'bigint'],
  int8: ['bigint', 'integer', 'smallint', 'numeric', 'double precision'],
  bool: ['boolean'],
  text: ['text', 'character varying'],
};

/** The catalog's spelling of a contract type, for messages. */
export const CATALOG_NAME: Readonly<Record<ColumnType, string>> = {
  timestamp: 'timestamp without time zone',
  timestamptz: 'timestamp with time zone',
  float8: 'double precision',
  int2: 'smallint',
  int4: 'integer',
  int8: 'bigint',
  bool: 'boolean',
  text: 'text',
};

/** True when a column of catalog type `found` can serve as contract type `expected`. */
export function isCompatible(expected: ColumnType, found: string): boolean {
  const base = found.replace(/\(.*\)$/, '').trim();
  return COMPATIBLE_TYPES[expected].includes(base);
}

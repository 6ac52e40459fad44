import { stat } from 'node:fs/promises';
import path from 'node:path';
import type pg from 'pg';
import type { Settings } from '../../config/load.js';
import { parseMonth } from '../../config/months.js';
import type { TableKey } from '../../config/schema.js';
import { partitionName } from '../../db/contract/physical.js';
import type { TrackName } from '../../tracks/protocol/events.js';

const OUTPUT_KEYS: Readonly<Record<'bollinger' | 'regression', readonly TableKey[]>> = {
  bollinger: ['bollinger_bqx'],
  regression: ['reg_rate', 'reg_bqx'],
};

/** A finished unit whose output must exist: where Track 3 wrote its file, when recorded. */
export interface DoneUnit {
  readonly track: TrackName;
  readonly unit: string;
  readonly outDir?: string | null | undefined;
}

/**
 * The done units whose output is gone, keyed `track:unit`: a Track 1–2 month partition
 * dropped (one catalog query for all), a Track 3 Parquet file deleted (a stat each).
 */
export async function missingOutputs(
  client: pg.ClientBase,
  settings: Settings,
  units: readonly DoneUnit[],
  outDir: string,
): Promise<Set<string>> {
  const r = await client.query<{ relname: string }>(
    `SELECT c.relname FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
      WHERE n.nspname = $1 AND c.relkind IN ('r', 'p')`,
    [settings.schema],
  );
  const tables = new Set(r.rows.map((x) => x.relname));
  const missing = new Set<string>();
  for (const u of units) {
    const key = `${u.track}:${u.unit}`;
    if (u.track === 'extraction') {
      const file = path.join(u.outDir ?? outDir, `${u.unit}.parquet`);
      const found = await stat(file).then(
        (s) => s.isFile(),
        () => false,
      );
      if (!found) missing.add(key);
      continue;
    }
    const [pair, m] = u.unit.split('/') as [string, string];
    const month = parseMonth(m);
    if (!month) continue;
    for (const k of OUTPUT_KEYS[u.track])
      if (!tables.has(partitionName(settings, k, pair, month))) missing.add(key);
  }
  return missing;
}

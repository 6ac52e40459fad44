import path from 'node:path';
import { loadSettings } from '../config/load.js';
import { type Database, openDatabase } from '../db/connection/open.js';
import { resolveTarget } from '../db/connection/target.js';
import type { Context } from '../db/context.js';
import { readDataset, resolveScope } from '../db/dataset.js';
import { defaultDataDir } from '../db/embedded/paths.js';
import { waitForDatabase } from '../orchestrator/worker/waitForDatabase.js';
import { onShutdown } from './shutdown.js';
import { UserError } from '../config/userError.js';
import type { ScopeNarrowing } from '../config/scopeFlags.js';

/** Options every command accepts (docs/spec/DESIGN.md "global"). */
export interface GlobalOptions {
  db?: string;
  dataDir?: string;
  config?: string;
  out?: string;
}

export type { Context };

/**
 * Loads the config (`--config`, else `$BQX_MONITOR_CONFIG`, else none) and resolves paths;
 * `narrowing` (the scope flags) narrows the scope every later step resolves.
 */
export async function loadContextSettings(g: GlobalOptions, narrowing?: ScopeNarrowing) {
  const loaded = await loadSettings(g.config ?? process.env['BQX_MONITOR_CONFIG']);
  const settings = narrowing ? { ...loaded, narrowing } : loaded;
  const dataDir = path.resolve(g.dataDir ?? settings.dataDir ?? defaultDataDir());
  const outDir = path.resolve(g.out ?? settings.outDir ?? 'data/extracted');
  return { settings, dataDir, outDir };
}

/** The config file in effect (`--config`, else `$BQX_MONITOR_CONFIG`), absolute. */
export function configFile(g: GlobalOptions): string | undefined {
  const f = g.config ?? process.env['BQX_MONITOR_CONFIG'];
  return f ? path.resolve(f) : undefined;
}

/**
 * Opens the database (embedded when none is configured) and reads the dataset record. A
 * `patient` command (a worker) waits out a database that does not answer yet, up to
 * `run.databaseTimeoutSeconds`; the others say at once that they cannot reach it.
 */
export async function openContext(
  g: GlobalOptions,
  log: (message: string) => void = () => {},
  o: { patient?: boolean; poolSize?: number; narrowing?: ScopeNarrowing } = {},
): Promise<Context> {
  const { settings, dataDir, outDir } = await loadContextSettings(g, o.narrowing);
  const target = resolveTarget({ flag: g.db, env: process.env, configUrl: settings.databaseUrl });
  let db: Database;
  try {
    db = await openDatabase({
      target,
      dataDir,
      log,
      ...(o.poolSize ? { poolSize: o.poolSize } : {}),
    });
  } catch (err) {
    if (err instanceof UserError) throw err;
    throw new UserError(`cannot open the database: ${(err as Error).message}`, 1);
  }
  onShutdown(() => db.close());
  try {
    if (o.patient) {
      await waitForDatabase(db.withPgClient, {
        limitMs: settings.run.databaseTimeoutSeconds * 1000,
        onLost: () => log(`${db.description} does not answer yet; waiting for it`),
      });
    } else await db.pool.query('SELECT 1');
  } catch (err) {
    throw new UserError(`cannot connect to ${db.description}: ${(err as Error).message}`, 1);
  }
  const dataset = await db.withPgClient((c) => readDataset(c));
  return { settings, dataDir, outDir, db, dataset, scope: resolveScope(settings, dataset) };
}

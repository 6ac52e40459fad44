import path from 'node:path';
import { loadSettings, type Settings } from '../config/load.js';
import { type Database, openDatabase } from '../db/connection/open.js';
import { resolveTarget } from '../db/connection/target.js';
import { type DatasetInfo, readDataset, resolveScope, type Scope } from '../db/dataset.js';
import { defaultDataDir } from '../db/embedded/paths.js';
import { onShutdown } from './shutdown.js';
import { UserError } from './userError.js';

/** Options every command accepts (DESIGN.md "global"). */
export interface GlobalOptions {
  db?: string;
  dataDir?: string;
  config?: string;
  out?: string;
}

/** What a command works with once the global options are resolved. */
export interface Context {
  readonly settings: Settings;
  readonly dataDir: string;
  readonly outDir: string;
  readonly db: Database;
  readonly dataset: DatasetInfo | undefined;
  readonly scope: Scope;
}

/** Loads the config (`--config`, else `$BQX_MONITOR_CONFIG`, else none) and resolves paths. */
export async function loadContextSettings(g: GlobalOptions) {
  const settings = await loadSettings(g.config ?? process.env['BQX_MONITOR_CONFIG']);
  const dataDir = path.resolve(g.dataDir ?? settings.dataDir ?? defaultDataDir());
  const outDir = path.resolve(g.out ?? settings.outDir ?? 'data/extracted');
  return { settings, dataDir, outDir };
}

/** Opens the database (embedded when none is configured) and reads the dataset record. */
export async function openContext(
  g: GlobalOptions,
  log: (message: string) => void = () => {},
): Promise<Context> {
  const { settings, dataDir, outDir } = await loadContextSettings(g);
  const target = resolveTarget({ flag: g.db, env: process.env, configUrl: settings.databaseUrl });
  let db: Database;
  try {
    db = await openDatabase({ target, dataDir, log });
  } catch (err) {
    throw new UserError(`cannot open the database: ${(err as Error).message}`, 1);
  }
  onShutdown(() => db.close());
  try {
    await db.pool.query('SELECT 1');
  } catch (err) {
    throw new UserError(`cannot connect to ${db.description}: ${(err as Error).message}`, 1);
  }
  const dataset = await db.withPgClient((c) => readDataset(c));
  return { settings, dataDir, outDir, db, dataset, scope: resolveScope(settings, dataset) };
}

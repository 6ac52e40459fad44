import type { Settings } from '../config/load.js';
import type { Database } from './connection/open.js';
import type { DatasetInfo, Scope } from './dataset.js';

/** What a command works with once its options are resolved and the database is open. */
export interface Context {
  readonly settings: Settings;
  /** Absolute: the embedded cluster, run logs. */
  readonly dataDir: string;
  /** Absolute: Track 3's Parquet files. */
  readonly outDir: string;
  readonly db: Database;
  readonly dataset: DatasetInfo | undefined;
  readonly scope: Scope;
}

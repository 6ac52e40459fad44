import type pg from 'pg';
import type { Settings } from '../../config/load.js';
import type { SeedPlan } from './presets.js';

/** What a seeder thread starts with: everything but the pairs, which come one by one. */
export interface SeedThreadData {
  readonly settings: Settings;
  readonly plan: SeedPlan;
  /** Connection of the thread's own session (a URL, or `{}` for libpq's PG* variables). */
  readonly connection: Pick<pg.ClientConfig, 'connectionString'>;
}

/** Parent → thread: load a pair, or finish (close the connection, then exit). */
export type ToThread = { type: 'pair'; pair: string } | { type: 'close' };

/** Thread → parent: a table loaded, a pair committed, or a pair rolled back with its error. */
export type ToParent =
  | { type: 'table'; pair: string; table: string; rows: number }
  | { type: 'pair_done'; pair: string; bars: number }
  | { type: 'pair_failed'; pair: string; message: string; code: string | undefined };

/** Progress of the seeder: a table loaded, then its pair committed. */
export type SeedProgress =
  | {
      readonly kind: 'table';
      readonly pair: string;
      readonly pairIndex: number;
      readonly table: string;
      readonly rows: number;
    }
  | {
      readonly kind: 'pair';
      readonly pair: string;
      readonly pairIndex: number;
      readonly bars: number;
    };

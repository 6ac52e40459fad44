import path from 'node:path';
import type pg from 'pg';
import type { RetentionSettings } from '../../config/settings.js';
import { type PrunedLogs, pruneRunLogs } from './runLogs.js';
import { pruneRuns } from './runRecord.js';

/** What a pruning removed: runs from the database, and run logs from the data directory. */
export interface Pruned {
  /** Run ids whose records, events and outcome history were removed, oldest first. */
  readonly records: readonly string[];
  readonly logs: PrunedLogs;
}

/**
 * Keeps the newest `runs.keep` runs, in the database and in `{data-dir}/runs`, and the run
 * logs within `runs.keepMegabytes`: at each run's start and by `runs --prune`. `protect`:
 * the run starting now (its files stay whatever their size).
 */
export async function pruneRetained(o: {
  readonly withPgClient: <T>(fn: (c: pg.ClientBase) => Promise<T>) => Promise<T>;
  readonly dataDir: string;
  readonly settings: RetentionSettings;
  readonly protect?: string;
}): Promise<Pruned> {
  const records = await o.withPgClient((c) => pruneRuns(c, o.settings.keep));
  const mb = o.settings.keepMegabytes;
  const logs = await pruneRunLogs(path.join(o.dataDir, 'runs'), {
    keep: o.settings.keep,
    ...(mb === undefined ? {} : { keepBytes: mb * 1024 * 1024 }),
    ...(o.protect ? { protect: new Set([o.protect]) } : {}),
  });
  return { records, logs };
}

/** One line saying what a pruning removed (empty when nothing). */
export function describePruned(p: Pruned): string {
  if (p.records.length === 0 && p.logs.files === 0) return '';
  const mb = (p.logs.bytes / (1024 * 1024)).toFixed(1);
  return `pruned ${p.records.length} old run record(s) and ${p.logs.files} log file(s) of ${p.logs.runs.length} run(s) (${mb} MB)`;
}

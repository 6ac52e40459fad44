import { readdir, rm, stat } from 'node:fs/promises';
import path from 'node:path';

/** A run's files in `{data-dir}/runs`: `{run-id}.ndjson` (events) and `{run-id}.log`. */
const RUN_FILE = /^(\d{8}-\d{6}-[0-9a-f]{4})\.(ndjson|log)$/;

/** What pruning the run logs removed. */
export interface PrunedLogs {
  /** Runs whose files were removed, oldest first. */
  readonly runs: readonly string[];
  readonly files: number;
  readonly bytes: number;
}

/** The runs that have files in `dir`, newest first, with their files and sizes. */
async function runFiles(dir: string) {
  const names = await readdir(dir).catch((err: NodeJS.ErrnoException) => {
    if (err.code === 'ENOENT') return [] as string[];
    throw err;
  });
  const runs = new Map<string, { files: string[]; bytes: number }>();
  for (const name of names) {
    const m = RUN_FILE.exec(name);
    if (!m) continue;
    const file = path.join(dir, name);
    const size = await stat(file).then(
      (s) => (s.isFile() ? s.size : undefined),
      () => undefined,
    );
    if (size === undefined) continue;
    const r = runs.get(m[1]!) ?? { files: [], bytes: 0 };
    r.files.push(file);
    r.bytes += size;
    runs.set(m[1]!, r);
  }
  // Run ids begin with their start time: they sort by it.
  return [...runs].sort(([a], [b]) => (a < b ? 1 : a > b ? -1 : 0));
}

/**
 * Removes the files of all but the newest `keep` runs in `dir` (the run logs), then of
 * the oldest runs left while their files add up to more than `keepBytes`. The runs in
 * `protect` (the one starting) are always kept. Files of another kind are never touched.
 */
export async function pruneRunLogs(
  dir: string,
  o: { readonly keep: number; readonly keepBytes?: number; readonly protect?: ReadonlySet<string> },
): Promise<PrunedLogs> {
  const runs = await runFiles(dir);
  const protect = o.protect ?? new Set<string>();
  // Newest first: the newest `keep` (and the protected) stay, for now.
  const kept = runs.filter(([id], i) => i < o.keep || protect.has(id));
  const drop = runs.filter(([id], i) => !(i < o.keep || protect.has(id)));
  // Over the size: the oldest of those kept go too, down to the newest one.
  let size = kept.reduce((n, [, r]) => n + r.bytes, 0);
  for (let i = kept.length - 1; i > 0 && o.keepBytes !== undefined && size > o.keepBytes; i--) {
    const [id, r] = kept[i]!;
    if (protect.has(id)) continue;
    drop.push(kept[i]!);
    size -= r.bytes;
  }
  let files = 0;
  let bytes = 0;
  for (const [, r] of drop) {
    for (const f of r.files) await rm(f, { force: true });
    files += r.files.length;
    bytes += r.bytes;
  }
  const removed = drop.map(([id]) => id).sort();
  return { runs: removed, files, bytes };
}

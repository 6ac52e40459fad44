import type { RecentEvent, TrackState } from '../orchestrator/state/runState.js';

/**
 * The workers a track's log can show one by one (`Tab`): those with lines in it, in the
 * order they first spoke (workers that exited during the run included), then live ones
 * that have said nothing yet.
 */
export function logWorkers(lines: readonly RecentEvent[], live: readonly number[]): number[] {
  const seen = new Set<number>();
  for (const l of lines) if (l.pid !== undefined) seen.add(l.pid);
  for (const p of live) seen.add(p);
  return [...seen];
}

/** The lines of one worker (undefined: every line of the track). */
export function workerLines(
  lines: readonly RecentEvent[],
  worker: number | undefined,
): readonly RecentEvent[] {
  return worker === undefined ? lines : lines.filter((l) => l.pid === worker);
}

/** `Track 2 Regression log, all workers` or `…, worker 4242 (exited)`. */
export function logTitle(title: string, worker: number | undefined, t: TrackState): string {
  if (worker === undefined) return `${title} log, all workers`;
  return `${title} log, worker ${worker}${t.workers.includes(worker) ? '' : ' (exited)'}`;
}

/** The next choice of `Tab`: all → the first worker → … → the last → all. */
export function nextWorker(
  workers: readonly number[],
  current: number | undefined,
): number | undefined {
  if (current === undefined) return workers[0];
  const i = workers.indexOf(current);
  return i < 0 ? workers[0] : workers[i + 1];
}

/** How far back a stage line may be replaced by its unit's next one. */
const COALESCE_WINDOW = 16;

/**
 * Adds a line to a track's log. A stage that only moves a unit's progress on (the same
 * stage and detail, e.g. `writing 120,000 / 370,000 rows` after `writing 60,000 / …`)
 * replaces the unit's previous line when that was the same stage, so a unit's progress
 * takes one line at the end, not one per batch.
 */
export function appendLog(list: RecentEvent[], line: RecentEvent, limit: number): void {
  const n = line.note;
  if (n.kind === 'stage') {
    for (let i = list.length - 1; i >= Math.max(0, list.length - COALESCE_WINDOW); i--) {
      const prev = list[i]!;
      if (prev.pid !== line.pid || !('unit' in prev.note) || prev.note.unit !== n.unit) continue;
      const p = prev.note;
      if (p.kind === 'stage' && p.stage === n.stage && p.detail === n.detail) list.splice(i, 1);
      break;
    }
  }
  list.push(line);
  if (list.length > limit) list.splice(0, list.length - limit);
}

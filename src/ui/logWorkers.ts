import type { RecentEvent, RunState } from '../orchestrator/state/runState.js';
import type { TrackName } from '../tracks/protocol/events.js';

/**
 * A worker as a track's log names it: its pid for the supervisor's own workers,
 * `host:pid` for another host's (whose pid may be one of ours too).
 */
export function workerKey(line: Pick<RecentEvent, 'pid' | 'host'>): string | undefined {
  if (line.pid === undefined) return undefined;
  return line.host === undefined ? String(line.pid) : `${line.host}:${line.pid}`;
}

/** The track's workers alive now: the supervisor's children, then other hosts' in the registry. */
export function liveWorkers(state: RunState, track: TrackName): string[] {
  return [
    ...state.tracks[track].workers.map(String),
    ...state.remoteWorkers
      .filter((w) => w.track === track)
      .map((w) => workerKey({ pid: w.pid, host: w.host })!),
  ];
}

/**
 * The workers a track's log can show one by one (`Tab`): those with lines in it, in the
 * order they first spoke (workers that exited during the run included), then live ones
 * that have said nothing yet.
 */
export function logWorkers(lines: readonly RecentEvent[], live: readonly string[]): string[] {
  const seen = new Set<string>();
  for (const l of lines) {
    const k = workerKey(l);
    if (k !== undefined) seen.add(k);
  }
  for (const k of live) seen.add(k);
  return [...seen];
}

/** The lines of one worker (undefined: every line of the track). */
export function workerLines(
  lines: readonly RecentEvent[],
  worker: string | undefined,
): readonly RecentEvent[] {
  return worker === undefined ? lines : lines.filter((l) => workerKey(l) === worker);
}

/** `Track 2 Regression log, all workers` or `…, worker 4242 (exited)` (`other-host:4242`). */
export function logTitle(
  title: string,
  worker: string | undefined,
  live: readonly string[],
): string {
  if (worker === undefined) return `${title} log, all workers`;
  return `${title} log, worker ${worker}${live.includes(worker) ? '' : ' (exited)'}`;
}

/** The next choice of `Tab`: all → the first worker → … → the last → all. */
export function nextWorker(
  workers: readonly string[],
  current: string | undefined,
): string | undefined {
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
      if (
        workerKey(prev) !== workerKey(line) ||
        !('unit' in prev.note) ||
        prev.note.unit !== n.unit
      )
        continue;
      const p = prev.note;
      if (p.kind === 'stage' && p.stage === n.stage && p.detail === n.detail) list.splice(i, 1);
      break;
    }
  }
  list.push(line);
  if (list.length > limit) list.splice(0, list.length - limit);
}

import type { RunEvent } from '../../src/orchestrator/state/events.js';
import type { EventBody } from '../../src/tracks/protocol/emit.js';
import type { TrackName, WorkerEvent } from '../../src/tracks/protocol/events.js';

/**
 * A worker's protocol event as the supervisor dispatches it, stamped at `at`: from host
 * `h` by default; `remote`: a worker the supervisor does not run, through the worker feed.
 */
export function workerEvent(
  at: number,
  track: TrackName,
  pid: number,
  body: EventBody,
  o: { host?: string; remote?: boolean } = {},
): RunEvent {
  const host = o.host ?? 'h';
  return {
    type: 'worker_event',
    at,
    track,
    pid,
    event: { v: 1, ts: new Date(at).toISOString(), host, pid, track, ...body } as WorkerEvent,
    ...(o.remote ? { remote: true as const } : {}),
  };
}

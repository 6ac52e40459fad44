import type { RunEvent } from '../../src/orchestrator/state/events.js';
import type { EventBody } from '../../src/tracks/protocol/emit.js';
import type { TrackName, WorkerEvent } from '../../src/tracks/protocol/events.js';

/** A worker's protocol event as the supervisor dispatches it, stamped at `at`. */
export function workerEvent(at: number, track: TrackName, pid: number, body: EventBody): RunEvent {
  return {
    type: 'worker_event',
    at,
    track,
    pid,
    event: { v: 1, ts: new Date(at).toISOString(), host: 'h', pid, track, ...body } as WorkerEvent,
  };
}

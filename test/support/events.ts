import { type WorkerEvent, workerEventSchema } from '../../src/tracks/protocol/events.js';

/** Parses a worker's stdout strictly: every line must be a valid protocol event. */
export function parseEvents(stdout: string): WorkerEvent[] {
  return stdout
    .split('\n')
    .filter((l) => l.length > 0)
    .map((l) => workerEventSchema.parse(JSON.parse(l)));
}

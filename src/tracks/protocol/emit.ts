import os from 'node:os';
import { PROTOCOL_VERSION, type TrackName, type WorkerEvent } from './events.js';

type DistributiveOmit<T, K extends PropertyKey> = T extends unknown ? Omit<T, K> : never;
/** An event without the fields the emitter fills in. */
export type EventBody = DistributiveOmit<WorkerEvent, 'v' | 'ts' | 'host' | 'pid' | 'track'>;

/** Writes one event as one NDJSON line (the protocol: stdout carries events only). */
export type Emit = (event: EventBody) => void;

/** An emitter for a track that stamps version, time, host and pid on every event. */
export function createEmitter(
  track: TrackName,
  write: (line: string) => void = (line) => process.stdout.write(line),
  clock: () => Date = () => new Date(),
): Emit {
  const host = os.hostname();
  return (event) => {
    const full = {
      v: PROTOCOL_VERSION,
      ts: clock().toISOString(),
      host,
      pid: process.pid,
      track,
      ...event,
    };
    write(`${JSON.stringify(full)}\n`);
  };
}

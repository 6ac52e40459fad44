import type { TrackName } from '../../tracks/protocol/events.js';

/** The queue's schema (graphile-worker's default; docs/adr-queue.md). */
export const QUEUE_SCHEMA = 'graphile_worker';

/** The task identifier of a track's units in the queue. */
export function taskName(track: TrackName): string {
  return `bqx_${track}`;
}

/** One job per unit: its key is `track:unit` (`bollinger:eurusd/2024-08`). */
export function jobKey(track: TrackName, unit: string): string {
  return `${track}:${unit}`;
}

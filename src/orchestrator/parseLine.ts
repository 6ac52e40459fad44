import { type WorkerEvent, workerEventSchema } from '../tracks/protocol/events.js';

/** What one line of a child's stdout turned out to be. */
export type ParsedLine =
  | { kind: 'event'; event: WorkerEvent }
  | { kind: 'log'; text: string; reason: string };

/**
 * Parses one stdout line of a worker. Never throws: anything that is not a valid event
 * of the protocol becomes a log line, with the reason it was not an event.
 */
export function parseLine(line: string): ParsedLine {
  const text = line.trim();
  if (text === '') return { kind: 'log', text: '', reason: 'empty line' };
  if (!text.startsWith('{')) return { kind: 'log', text, reason: 'not JSON' };
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch {
    return { kind: 'log', text, reason: 'not JSON' };
  }
  const parsed = workerEventSchema.safeParse(raw);
  if (!parsed.success) {
    const first = parsed.error.issues[0];
    return {
      kind: 'log',
      text,
      reason: `not a protocol event (${first?.path.join('.') || 'event'}: ${first?.message})`,
    };
  }
  return { kind: 'event', event: parsed.data };
}

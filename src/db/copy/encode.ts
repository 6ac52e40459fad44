/**
 * PostgreSQL COPY text-format encoders. Values are written so the server parses them
 * back exactly: doubles in JavaScript's shortest round-trip form (and `-0` kept),
 * non-finite numbers as NULL (FEATURES.md: never NaN or Infinity in outputs).
 */
export const NULL = '\\N';

/** A double, or NULL when it is NaN or ±Infinity. */
export function encodeFloat(x: number): string {
  if (!Number.isFinite(x)) return NULL;
  return Object.is(x, -0) ? '-0' : String(x);
}

/** An integer column value, or NULL when NaN. */
export function encodeInt(x: number): string {
  return Number.isFinite(x) ? String(Math.trunc(x)) : NULL;
}

/** Epoch milliseconds as an aware timestamp literal (`…+00`). */
export function encodeTimestamptz(ms: number): string {
  return `${encodeTimestamp(ms)}+00`;
}

/** Epoch milliseconds as a naive UTC wall-clock literal (`YYYY-MM-DD HH:MM:SS.mmm`). */
export function encodeTimestamp(ms: number): string {
  const iso = new Date(ms).toISOString(); // 2024-07-01T00:00:00.000Z
  return `${iso.slice(0, 10)} ${iso.slice(11, 23)}`;
}

/** Text with COPY's escapes for backslash, tab, newline and carriage return. */
export function encodeText(s: string | null): string {
  if (s === null) return NULL;
  return s.replace(/[\\\t\n\r]/g, (c) =>
    c === '\\' ? '\\\\' : c === '\t' ? '\\t' : c === '\n' ? '\\n' : '\\r',
  );
}

/** Epoch microseconds as a timestamp literal: aware (`…+00`) or naive UTC wall clock. */
export function encodeMicros(us: number, aware: boolean): string {
  const ms = Math.floor(us / 1000);
  const micro = us - ms * 1000;
  const iso = new Date(ms).toISOString();
  const text = `${iso.slice(0, 10)} ${iso.slice(11, 23)}${String(micro).padStart(3, '0')}`;
  return aware ? `${text}+00` : text;
}

/**
 * PostgreSQL COPY text-format encoders. Values are written so the server parses them
 * back exactly: doubles in JavaScript's shortest round-trip form (and `-0` kept),
 * non-finite numbers as NULL (docs/spec/FEATURES.md: never NaN or Infinity in outputs).
 */
export const NULL = '\\N';

/** A double, or NULL when it is NaN or ±Infinity. */
export function encodeFloat(x: number): string {
  if (!Number.isFinite(x)) return NULL;
  return Object.is(x, -0) ? '-0' : String(x);
}

/** Epoch microseconds as a timestamp literal: aware (`…+00`) or naive UTC wall clock. */
export function encodeMicros(us: number, aware: boolean): string {
  const ms = Math.floor(us / 1000);
  const micro = us - ms * 1000;
  const iso = new Date(ms).toISOString();
  const text = `${iso.slice(0, 10)} ${iso.slice(11, 23)}${String(micro).padStart(3, '0')}`;
  return aware ? `${text}+00` : text;
}

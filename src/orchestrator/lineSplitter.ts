/** Longest line kept whole; a longer one is cut (a runaway child must not eat memory). */
export const MAX_LINE = 1 << 20;

/**
 * Splits a byte stream into lines: `push(chunk)` returns the complete lines and keeps the
 * partial tail until its end arrives (the shape of Ink's input parser).
 */
export class LineSplitter {
  private tail = '';

  /** Adds a chunk; returns the lines it completed (without their newline). */
  push(chunk: string): string[] {
    const text = this.tail + chunk;
    const parts = text.split('\n');
    this.tail = parts.pop() ?? '';
    if (this.tail.length > MAX_LINE) {
      parts.push(this.tail.slice(0, MAX_LINE));
      this.tail = '';
    }
    return parts
      .map((l) => (l.endsWith('\r') ? l.slice(0, -1) : l))
      .map((l) => l.slice(0, MAX_LINE));
  }

  /** The stream ended: returns the unterminated last line, if any. */
  end(): string[] {
    const rest = this.tail;
    this.tail = '';
    return rest.length > 0 ? [rest] : [];
  }
}

/**
 * A writer to stdout that survives the reader going away: a closed pipe (`run --json |
 * head -5`, a log shipper that died) stops the writing, never the run. Node ignores
 * SIGPIPE; the EPIPE arrives as an 'error' event, which without a listener would crash.
 */
export function stdoutLines(stream: NodeJS.WriteStream = process.stdout): {
  write: (text: string) => void;
  readonly closed: () => boolean;
} {
  let closed = false;
  stream.on('error', () => {
    closed = true;
  });
  return {
    write: (text) => {
      if (closed) return;
      try {
        stream.write(text);
      } catch {
        closed = true;
      }
    },
    closed: () => closed,
  };
}

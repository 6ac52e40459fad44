import type { RunEvent } from '../state/events.js';
import type { RunResult, RunSession } from '../run/startRun.js';
import { snapshot } from '../state/snapshot.js';

/**
 * `--json`: NDJSON on stdout, one object per line with a `kind`: `event` (every event,
 * tagged with track and worker pid), `snapshot` (the whole state every few seconds) and
 * a final `summary`. Ticks and samples appear only inside snapshots.
 */
export function attachJsonOutput(
  session: RunSession,
  o: { snapshotMs: number; write?: (line: string) => void },
): { finish(result: RunResult): void } {
  const write = o.write ?? ((line: string) => process.stdout.write(line));
  const line = (obj: unknown) => write(`${JSON.stringify(obj)}\n`);
  const quiet = new Set<RunEvent['type']>(['tick', 'system_sample', 'database_sample']);
  session.subscribe((_state, ev) => {
    if (quiet.has(ev.type)) return;
    line({ kind: 'event', runId: session.runId, ...ev, at: new Date(ev.at).toISOString() });
  });
  const timer = setInterval(
    () => line({ kind: 'snapshot', ...snapshot(session.getState()) }),
    o.snapshotMs,
  );
  return {
    finish(result) {
      clearInterval(timer);
      const s = snapshot(result.state);
      line({ kind: 'snapshot', ...s });
      line({
        kind: 'summary',
        runId: session.runId,
        status: result.status,
        elapsedSeconds: s.elapsedSeconds,
        logFile: result.logFile,
        tracks: s.tracks.map((t) => ({
          track: t.track,
          status: t.status,
          total: t.total,
          done: t.done,
          noData: t.noData,
          failed: t.failed,
          remaining: t.remaining,
          rows: t.rows,
          bytes: t.bytes,
        })),
      });
    },
  };
}

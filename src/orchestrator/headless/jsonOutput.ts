import type { RunEvent } from '../state/events.js';
import type { RunEnding, RunView } from '../state/runFeed.js';
import { snapshot } from '../state/snapshot.js';

/**
 * Events that appear only inside snapshots: ticks, samples, the preparation's progress, and
 * the run's start (every line carries the run id; the preflight is the first line).
 */
const QUIET = new Set<RunEvent['type']>([
  'tick',
  'system_sample',
  'database_sample',
  'run_phase',
  'run_started',
]);

/**
 * `--json`: NDJSON, one object per line with a `kind`: `preflight` (the doctor report),
 * `event` (every event, tagged with track and worker pid), `snapshot` (the whole state
 * every few seconds) and a final `summary` (with the post-run `report`). The same for the
 * run this process supervises and for a live run it follows.
 */
export function attachJsonOutput(
  run: RunView,
  o: { snapshotMs: number; write: (line: string) => void; logFile?: string },
): { finish(end: RunEnding): void } {
  const line = (obj: unknown) => o.write(`${JSON.stringify(obj)}\n`);
  const toLine = (ev: RunEvent) => {
    if (QUIET.has(ev.type)) return;
    if (ev.type === 'preflight') line({ kind: 'preflight', runId: run.runId, ...ev.report });
    else line({ kind: 'event', runId: run.runId, ...ev, at: new Date(ev.at).toISOString() });
  };
  run.subscribe((_state, ev) => toLine(ev));
  // Snapshots once the units are planned: before that there are no counts to report.
  const timer = setInterval(() => {
    const s = run.getState();
    if (s.phase === 'running' || s.phase === 'stopping') line({ kind: 'snapshot', ...snapshot(s) });
  }, o.snapshotMs);
  return {
    finish(end) {
      clearInterval(timer);
      const s = snapshot(end.state);
      line({ kind: 'snapshot', ...s });
      line({
        kind: 'summary',
        runId: run.runId,
        status: end.status,
        exitCode: end.exitCode,
        message: end.message ?? null,
        elapsedSeconds: s.elapsedSeconds,
        logFile: o.logFile ?? null,
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
          thisRun: t.thisRun,
        })),
        // The post-run report (`bqx-monitor report --json`'s), when the supervisor made one.
        report: end.state.report ?? null,
      });
    },
  };
}

import type { ChalkInstance } from 'chalk';
import { formatDuration } from '../state/eta.js';
import { paintFor } from '../text/paint.js';
import { describeHost, describeNote, describeTotals } from '../text/describe.js';
import type { RunEnding, RunView } from '../state/runFeed.js';
import {
  hostSummaries,
  overall,
  type RecentEvent,
  TRACK_ORDER,
  thisRunTotals,
  trackStatus,
} from '../state/runState.js';

/**
 * Plain lines (stdout not a terminal, no `--json`; `status --watch`; the background
 * supervisor's log): one line per finished unit, control action or problem, and a
 * progress line every `progressMs` (with the hosts when the run has more than one).
 */
export function attachLineOutput(
  run: RunView,
  o: { progressMs: number; write: (line: string) => void; paint?: ChalkInstance },
): { finish(end: RunEnding, logFile?: string): void } {
  const paint = o.paint ?? paintFor('stdout');
  const stamp = (at: number) => new Date(at).toISOString().slice(11, 19);
  let seen = 0;
  let seenOutput = 0;
  const line = (r: RecentEvent) => {
    const mark = r.level === 'info' ? ' ' : r.level === 'warn' ? paint.yellow('!') : paint.red('x');
    o.write(`${stamp(r.at)} ${mark} ${r.track ?? 'run'}: ${describeNote(r.note)}\n`);
  };
  const take = () => {
    const state = run.getState();
    // Entries added to the recent-events list are exactly what a reader wants as lines;
    // of the workers' output, what they print (stages are for the dashboard's logs).
    const fresh = Math.min(state.noted - seen, state.recent.length);
    for (const r of state.recent.slice(state.recent.length - fresh)) line(r);
    seen = state.noted;
    const out = Math.min(state.outputNoted - seenOutput, state.output.length);
    for (const r of state.output.slice(state.output.length - out))
      if (r.note.kind === 'worker_log') line(r);
    seenOutput = state.outputNoted;
  };
  take();
  run.subscribe(take);
  const progress = () => {
    const s = run.getState();
    if (s.phase !== 'running' && s.phase !== 'stopping') return;
    const o2 = overall(s);
    const parts = TRACK_ORDER.map((t) => {
      const tr = s.tracks[t];
      return `${t} ${tr.done + tr.noData + tr.failed}/${tr.total} ${trackStatus(tr)}`;
    });
    const hosts = hostSummaries(s);
    const where = hosts.length > 1 ? `; hosts: ${hosts.map(describeHost).join(' · ')}` : '';
    o.write(
      `${stamp(s.now)}   progress ${o2.finished}/${o2.total} (${parts.join(', ')}), ETA ${formatDuration(o2.eta)}${where}\n`,
    );
  };
  const timer = setInterval(progress, o.progressMs);
  return {
    finish(end, logFile) {
      clearInterval(timer);
      progress();
      const tail = logFile ? `; event log: ${logFile}` : '';
      const did = describeTotals(thisRunTotals(end.state)).join(' · ');
      const status =
        end.status === 'complete'
          ? paint.green(end.status)
          : end.status === 'failed'
            ? paint.red(end.status)
            : paint.yellow(end.status);
      o.write(
        `run ${run.runId} ${status} (exit ${end.exitCode}); this run: ${did}${tail}; report: bqx-monitor report ${run.runId}\n`,
      );
    },
  };
}

import type { RunResult, RunSession } from '../run/startRun.js';
import { formatDuration } from '../state/eta.js';
import { overall, TRACK_ORDER, trackStatus } from '../state/runState.js';

/**
 * Plain line output (stdout not a terminal, no `--json`): one line per finished unit,
 * control action or problem, and a progress line every `progressMs`.
 */
export function attachLineOutput(
  session: RunSession,
  o: { progressMs: number; write?: (line: string) => void },
): { finish(result: RunResult): void } {
  const write = o.write ?? ((line: string) => process.stdout.write(line));
  const stamp = (at: number) => new Date(at).toISOString().slice(11, 19);
  let seen = session.getState().noted;
  session.subscribe((state) => {
    // Entries added to the recent-events list are exactly what a reader wants as lines.
    const fresh = Math.min(state.noted - seen, state.recent.length);
    for (const r of state.recent.slice(state.recent.length - fresh)) {
      const mark = r.level === 'info' ? ' ' : r.level === 'warn' ? '!' : 'x';
      write(`${stamp(r.at)} ${mark} ${r.track ?? 'run'}: ${r.text}\n`);
    }
    seen = state.noted;
  });
  const progress = () => {
    const s = session.getState();
    const o2 = overall(s);
    const parts = TRACK_ORDER.map((t) => {
      const tr = s.tracks[t];
      return `${t} ${tr.done + tr.empty + tr.failed}/${tr.total} ${trackStatus(tr)}`;
    });
    write(
      `${stamp(s.now)}   progress ${o2.finished}/${o2.total} (${parts.join(', ')}), ETA ${formatDuration(o2.eta)}\n`,
    );
  };
  const timer = setInterval(progress, o.progressMs);
  return {
    finish(result) {
      clearInterval(timer);
      progress();
      write(`run ${session.runId} ${result.status}; event log: ${result.logFile}\n`);
    },
  };
}

import type { RunFeed } from '../../orchestrator/state/runFeed.js';
import type { RunState } from '../../orchestrator/state/runState.js';
import { forTerminal } from '../../orchestrator/text/charset.js';

/**
 * Shows on stderr what the run does before its units start (seeding the demo, the
 * preflight) and resolves once it runs its units or has ended: the dashboard opens on a
 * planned run. A bar on a terminal, else a line per change.
 */
export function waitForPreparation(run: RunFeed): Promise<RunState> {
  const tty = process.stderr.isTTY === true;
  let last = '';
  let drew = false;
  const show = (s: RunState) => {
    if (s.phase === 'running' || s.finished) return;
    const total = s.phaseDetail === undefined ? '' : ` ${s.phaseDetail}`;
    const line = `run ${s.runId ?? ''}: ${s.phase}${total}`;
    if (line === last) return;
    last = line;
    if (tty) {
      process.stderr.write(
        forTerminal(`\r\u001b[2K${line.slice(0, (process.stderr.columns || 80) - 1)}`),
      );
      drew = true;
    } else process.stderr.write(forTerminal(`${line}\n`));
  };
  return new Promise((resolve) => {
    const check = (s: RunState) => {
      show(s);
      if (s.phase === 'running' || s.finished) {
        off();
        if (drew) process.stderr.write('\r\u001b[2K');
        resolve(s);
      }
    };
    const off = run.subscribe((s) => check(s));
    check(run.getState());
  });
}

import {
  describePhase,
  foldPhase,
  type PhaseProgress,
} from '../../orchestrator/headless/phaseProgress.js';
import type { RunFeed } from '../../orchestrator/state/runFeed.js';
import type { RunState } from '../../orchestrator/state/runState.js';
import { forTerminal } from '../../orchestrator/text/charset.js';

/** The line of what the run does before its units start, with its progress when known. */
function preparationLine(s: RunState, p: PhaseProgress | undefined): string {
  const doing =
    p && p.phase === s.phase
      ? describePhase(p)
      : `${s.phase}${s.phaseDetail === undefined ? '' : ` ${s.phaseDetail}`}`;
  return `run ${s.runId ?? ''}: ${doing}`;
}

/**
 * Shows on stderr what the run does before its units start (seeding the demo: pair, share
 * done and ETA; the preflight) and resolves once it runs its units or has ended: the
 * dashboard opens on a planned run. A line redrawn in place on a terminal, else a line
 * per change.
 */
export function waitForPreparation(run: RunFeed): Promise<RunState> {
  const tty = process.stderr.isTTY === true;
  let last = '';
  let drew = false;
  let progress: PhaseProgress | undefined;
  const show = (s: RunState) => {
    if (s.phase === 'running' || s.finished) return;
    const line = preparationLine(s, progress);
    if (line === last) return;
    last = line;
    if (tty) {
      const width = (process.stderr.columns || 80) - 1;
      // Too long for the terminal: the table's name goes first, then the line is cut.
      const fit = line.length > width ? line.replace(/ \([^)]*\)$/, '') : line;
      process.stderr.write(forTerminal(`\r\u001b[2K${fit.slice(0, width)}`));
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
    const off = run.subscribe((s, ev) => {
      progress = foldPhase(progress, ev);
      check(s);
    });
    check(run.getState());
  });
}

import type { Context } from '../../db/context.js';
import { stdoutLines } from '../../orchestrator/headless/safeStdout.js';
import { newRunId } from '../../orchestrator/live/runRecord.js';
import { followRuns, shouldNotify, staleUnits } from '../../orchestrator/run/follow.js';
import type { RunOutcome } from '../../orchestrator/state/events.js';
import { forTerminal } from '../../orchestrator/text/charset.js';
import { type Waiting, waitingLine } from '../../orchestrator/text/waitingLine.js';
import type { TrackName } from '../../tracks/protocol/events.js';
import type { GlobalOptions } from '../context.js';
import { interceptSignals, SIGNAL_EXIT } from '../shutdown.js';
import { superviseInForeground } from './foreground.js';
import { removeFollowRecord, writeFollowRecord } from './followRecord.js';

/**
 * `run --follow [INTERVAL]`: supervises a run in this process, then stays and starts the
 * next one whenever the sources changed (orchestrator/run/follow.ts), each a run of its
 * own with its plain lines (or NDJSON) as `run --json` prints them. Between runs it prints
 * the waiting line (NDJSON: a `follow_waiting` object) and answers SIGINT / SIGTERM and
 * `bqx-monitor stop` (through `{data-dir}/follow.json`) by ending, exit 130 / 143.
 */
export async function followInForeground(
  ctx: Context,
  g: GlobalOptions,
  o: { readonly json: boolean; readonly recompute: ReadonlySet<TrackName>; intervalMs: number },
): Promise<number> {
  const lines = stdoutLines();
  const stopped = new AbortController();
  let signalled = 130;
  const waitForSignals = () =>
    interceptSignals((signal) => {
      if (signal === 'SIGHUP') return 'ignored';
      signalled = SIGNAL_EXIT[signal] ?? 130;
      stopped.abort();
      return 'handled';
    });
  let cycles = 0;
  const onWaiting = (w: Waiting) => {
    writeFollowRecord(ctx.dataDir, w);
    if (o.json)
      lines.write(`${JSON.stringify({ type: 'follow_waiting', at: Date.now(), ...w })}\n`);
    else lines.write(forTerminal(`${waitingLine(w)}\n`));
  };
  try {
    const code = await followRuns({
      intervalMs: o.intervalMs,
      extractionEveryMs: ctx.settings.follow.extractionEveryMs,
      signal: stopped.signal,
      check: (hold) => staleUnits(ctx, hold),
      cycle: async (hold, previous) => {
        removeFollowRecord(ctx.dataDir);
        const runId = newRunId();
        // --recompute forces the first run only: the later ones run what became stale.
        const recompute = cycles++ === 0 ? o.recompute : new Set<TrackName>();
        // Told of a failure and of the first success after one, not of every quiet run.
        const notifyWhen = (status: RunOutcome) => shouldNotify(status, previous);
        const exitCode = await superviseInForeground(ctx, g, {
          ...o,
          recompute,
          runId,
          hold,
          notifyWhen,
        });
        waitForSignals();
        return { runId, exitCode };
      },
      onWaiting,
    });
    return stopped.signal.aborted ? signalled : code;
  } finally {
    removeFollowRecord(ctx.dataDir);
  }
}

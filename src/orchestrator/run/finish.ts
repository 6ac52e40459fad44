import { sleep } from '../../db/connection/sleep.js';
import { analyzeWritten } from '../../db/ddl/analyzeWritten.js';
import { unitsDoneInRun } from '../../db/ledger/results.js';
import { endRun, readRun } from '../live/runRecord.js';
import { notifyRunEnd } from '../notify/runNotices.js';
import { readRunOutcomes, reportRunOf } from '../report/reportFacts.js';
import { summarizeRun } from '../report/runReport.js';
import { snapshot } from '../state/snapshot.js';
import type { RunEnd } from './lifecycle.js';
import type { RunParts } from './runParts.js';

/** How long the end is retried while the database is away. */
const RECORD_FOR_MS = 10_000;

/**
 * The run's end, once its workers are gone: the report first (a view stops following at
 * the end), then `run_finished` for every view and for `status`, then the run record and
 * the last events; the link gives the live-run lock back.
 */
export async function finishRun(p: RunParts, end: RunEnd): Promise<void> {
  await publishReport(p, end);
  p.events.dispatch({ type: 'run_finished', at: Date.now(), ...end });
  await finishRecord(p, end);
  // One digest to whoever asked to be told (bounded by notify.timeoutSeconds); a run
  // another process owns now is announced lost by that one.
  if (p.lifecycle.ownsRecord && (p.notifyWhen?.(end.status) ?? true))
    await notifyRunEnd(
      p.ctx.settings.notify,
      { runId: p.runId, ...end, report: p.events.state.report },
      logLine,
    );
}

/** A line for the supervisor's log (stderr: the background run's log file). */
const logLine = (line: string) => process.stderr.write(`${line}\n`);

/**
 * The post-run report (`bqx-monitor report`'s), as an event every view shows: made from
 * what the run recorded, with the end it is about to record. None when the database is
 * away or the run is no longer this process's; `report` makes it later all the same.
 */
async function publishReport(p: RunParts, end: RunEnd): Promise<void> {
  if (!p.lifecycle.canCarryOn || p.link.lostSince !== undefined) return;
  try {
    const report = await p.ctx.db.withPgClient(async (c) => {
      const run = await readRun(c, p.runId);
      if (!run) return undefined;
      const ending = { exitCode: end.exitCode, message: end.message ?? null };
      const recorded = { ...reportRunOf(run, end.status), ...ending, finishedAt: new Date() };
      return summarizeRun({ run: recorded, ...(await readRunOutcomes(c, p.runId)) });
    });
    if (report) p.events.dispatch({ type: 'run_report', at: Date.now(), report });
  } catch (err) {
    process.stderr.write(`could not make the run's report: ${(err as Error).message}\n`);
  }
}

/**
 * Statistics of the partitions this run wrote, once at its end (they are created with
 * autovacuum off, so nothing else gathers them). A failure is logged: the outputs stand.
 */
export async function analyzeRun(p: RunParts): Promise<void> {
  // `stop --now` asks for the way out at once: the next run's end analyzes them.
  if (p.link.lostSince !== undefined || p.lifecycle.stopRequest?.mode === 'now') return;
  try {
    const t0 = Date.now();
    const n = await p.ctx.db.withPgClient(async (c) =>
      analyzeWritten(c, p.ctx.settings, await unitsDoneInRun(c, p.runId)),
    );
    if (n > 0)
      process.stderr.write(
        `analyzed ${n} partition(s) written by this run in ${Date.now() - t0} ms\n`,
      );
  } catch (err) {
    process.stderr.write(
      `could not analyze the partitions written by this run: ${(err as Error).message}\n`,
    );
  }
}

/** Records the end and the last events (for a few seconds if the database is away). */
async function finishRecord(p: RunParts, end: RunEnd): Promise<void> {
  const deadline = Date.now() + RECORD_FOR_MS;
  while (p.lifecycle.canCarryOn && Date.now() < deadline) {
    try {
      if (p.link.lostSince !== undefined) throw new Error('the database is unreachable');
      await p.events.publisher.flush();
      const last = { ...end, snapshot: snapshot(p.events.state) };
      await p.ctx.db.withPgClient((c) => endRun(c, p.runId, last));
      break;
    } catch {
      await sleep(500);
    }
  }
  await p.link.close();
}

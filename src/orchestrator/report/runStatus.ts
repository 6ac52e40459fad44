import os from 'node:os';
import type pg from 'pg';
import { META_SCHEMA } from '../../db/dataset.js';
import type { TrackName } from '../../tracks/protocol/events.js';
import { TRACKS } from '../plan/planUnits.js';
import { type RecordedOutcome, readOutcomes } from '../../db/ledger/results.js';
import { latestRun } from '../live/runRecord.js';
import { judgeRun, type Liveness, probeLiveness } from '../live/election.js';
import type { RunRecordStatus } from '../live/runRecord.js';
import { QUEUE_SCHEMA, taskName } from '../queue/jobQueue.js';

export interface TrackStatusRow {
  readonly track: TrackName;
  readonly total: number;
  readonly done: number;
  readonly noData: number;
  readonly failed: number;
  readonly queued: number;
  readonly running: ReadonlyArray<{ unit: string; worker: string; since: string }>;
  readonly rows: number;
}

export interface StatusReport {
  readonly run: {
    runId: string;
    /** running, complete, failed, interrupted, or "stopped unexpectedly". */
    status: string;
    /** True while its supervisor holds the run (or may still reconnect). */
    live: boolean;
    phase: string;
    exitCode: number | null;
    message: string | null;
    logFile: string | null;
    heartbeatAgeSeconds: number;
    startedAt: string;
    finishedAt: string | null;
    host: string;
    pid: number;
  } | null;
  readonly tracks: readonly TrackStatusRow[];
  readonly workers: ReadonlyArray<{
    track: string;
    host: string;
    pid: number;
    heartbeatAgeSeconds: number;
  }>;
}

async function exists(client: pg.ClientBase, name: string): Promise<boolean> {
  const r = await client.query('SELECT to_regclass($1) AS t', [name]);
  return Boolean(r.rows[0]?.t);
}

/**
 * The last or current run, from the database alone (works from a second SSH session or
 * machine): per track the planned units, how many are done / no data / failed from the
 * results table, queued and running jobs from the queue, and live workers.
 */
export async function readStatus(client: pg.ClientBase): Promise<StatusReport> {
  const run = await latestRun(client);
  if (!run) return { run: null, tracks: [], workers: [] };
  const liveness = judgeRun(run, await probeLiveness(client, os.hostname()));
  // Read-only: a database without the results table has no outcomes yet.
  const byKey = (await exists(client, `${META_SCHEMA}.unit_results`))
    ? await readOutcomes(client)
    : new Map<string, RecordedOutcome>();
  const jobs = (await exists(client, `${QUEUE_SCHEMA}.jobs`))
    ? await client.query<{
        task: string;
        key: string;
        locked_by: string | null;
        locked_at: Date | null;
      }>(
        `SELECT task_identifier AS task, key, locked_by, locked_at FROM ${QUEUE_SCHEMA}.jobs
          WHERE attempts < max_attempts OR locked_at IS NOT NULL`,
      )
    : { rows: [] };
  const workers = (await exists(client, `${META_SCHEMA}.workers`))
    ? await client.query<{
        worker_id: string;
        track: string;
        host: string;
        pid: number;
        age: number;
      }>(
        `SELECT worker_id, track, host, pid, extract(epoch FROM now() - heartbeat_at)::float8 AS age
           FROM ${META_SCHEMA}.workers ORDER BY track, host, pid`,
      )
    : { rows: [] };
  const workerOf = new Map(workers.rows.map((w) => [w.worker_id, `${w.host}:${w.pid}`]));
  const tracks = TRACKS.map((track): TrackStatusRow => {
    const units = run.units[track] ?? [];
    let done = 0;
    let noData = 0;
    let failed = 0;
    let rows = 0;
    for (const u of units) {
      const r = byKey.get(`${track}:${u}`);
      if (r?.status === 'done') {
        done++;
        rows += r.rows;
      } else if (r?.status === 'empty') noData++;
      else if (r?.status === 'failed') failed++;
    }
    const mine = jobs.rows.filter((j) => j.task === taskName(track));
    const running = mine
      .filter((j) => j.locked_at !== null)
      .map((j) => ({
        unit: j.key.slice(track.length + 1),
        worker: workerOf.get(j.locked_by ?? '') ?? j.locked_by ?? '?',
        since: j.locked_at!.toISOString(),
      }));
    return {
      track,
      total: units.length,
      done,
      noData,
      failed,
      queued: mine.length - running.length,
      running,
      rows,
    };
  });
  return {
    run: {
      runId: run.runId,
      // A run recorded as running whose process on this host is gone was killed.
      status: statusText(run.status, liveness),
      live: liveness.kind === 'live' || liveness.kind === 'reconnecting',
      phase: run.phase,
      exitCode: run.exitCode,
      message: run.message,
      logFile: run.logFile,
      heartbeatAgeSeconds: Math.max(0, Math.round((Date.now() - run.heartbeatAt.getTime()) / 1000)),
      startedAt: run.startedAt.toISOString(),
      finishedAt: run.finishedAt?.toISOString() ?? null,
      host: run.host,
      pid: run.pid,
    },
    tracks,
    workers: workers.rows.map((w) => ({
      track: w.track,
      host: w.host,
      pid: w.pid,
      heartbeatAgeSeconds: Math.round(w.age),
    })),
  };
}

/** The status word of a run: a `running` row whose supervisor is gone stopped unexpectedly. */
function statusText(status: RunRecordStatus, liveness: Liveness): string {
  if (status === 'lost' || liveness.kind === 'lost') return 'stopped unexpectedly';
  if (liveness.kind === 'reconnecting') return 'running (supervisor reconnecting)';
  return status;
}

/** The report as text. */
export function formatStatus(s: StatusReport): string {
  if (!s.run) return 'no run recorded in this database yet';
  const lines = [
    `run ${s.run.runId}: ${s.run.status} (started ${s.run.startedAt}${s.run.finishedAt ? `, finished ${s.run.finishedAt}` : ''}; ${s.run.host} pid ${s.run.pid})`,
  ];
  for (const t of s.tracks) {
    const finished = t.done + t.noData + t.failed;
    const pct = t.total === 0 ? 100 : (100 * finished) / t.total;
    lines.push(
      `${t.track.padEnd(11)} ${String(finished).padStart(5)}/${t.total} (${pct.toFixed(1)}%)  done ${t.done}, no data ${t.noData}, failed ${t.failed}, queued ${t.queued}, running ${t.running.length}`,
    );
    for (const r of t.running)
      lines.push(`             running ${r.unit} on ${r.worker} since ${r.since}`);
  }
  lines.push(`${s.workers.length} live worker(s)`);
  return lines.join('\n');
}

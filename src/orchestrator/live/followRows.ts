import type pg from 'pg';
import { isAlive } from '../../db/embedded/processes.js';
import { META_SCHEMA } from '../../db/dataset.js';
import type { Waiting } from '../text/waitingLine.js';

/**
 * `bqx_monitor.follows`: one row per live `run --follow`, so that a process on any host can
 * see a follow between its runs (`status`, the default view) and stop it (`stop`). The
 * follow writes it: its wait (`next_check`, the last change), its runs, and a heartbeat;
 * `stop` sets `stop_requested_at`, which the follow reads a second apart. The row is
 * removed when the follow ends; a follow that died leaves it, judged dead by `judgeFollow`.
 */

/** How often a follow beats; a follow on another host silent for `FOLLOW_SILENT_MS` is dead. */
export const FOLLOW_BEAT_MS = 10_000;
export const FOLLOW_SILENT_MS = 60_000;

/** A follow as recorded. */
export interface FollowRow {
  readonly followId: string;
  readonly host: string;
  readonly pid: number;
  readonly startedAt: Date;
  readonly intervalMs: number;
  /** How long ago it last beat, by the database's clock (ms). */
  readonly silentMs: number;
  /** Runs it started so far. */
  readonly cycles: number;
  readonly lastRunId: string | null;
  /** What it waits for; undefined while one of its runs goes on. */
  readonly waiting: Waiting | undefined;
  readonly stopRequested: boolean;
}

const T = `${META_SCHEMA}.follows`;

function fromRow(r: Record<string, unknown>): FollowRow {
  const next = r['next_check'] as Date | null;
  const changeAt = r['last_change_at'] as Date | null;
  const changeUnit = r['last_change_unit'] as string | null;
  const lastChange =
    changeAt && changeUnit ? { at: changeAt.getTime(), unit: changeUnit } : undefined;
  return {
    followId: r['follow_id'] as string,
    host: r['host'] as string,
    pid: r['pid'] as number,
    startedAt: r['started_at'] as Date,
    intervalMs: Number(r['interval_ms']),
    silentMs: Number(r['silent_ms']),
    cycles: r['cycles'] as number,
    lastRunId: (r['last_run_id'] as string | null) ?? null,
    waiting: next ? { nextCheck: next.getTime(), lastChange } : undefined,
    stopRequested: r['stop_requested_at'] !== null,
  };
}

/**
 * Whether a recorded follow still lives (pure): on this host, while its process does; on
 * another, while it beat less than `FOLLOW_SILENT_MS` ago.
 */
export function judgeFollow(
  f: Pick<FollowRow, 'host' | 'pid' | 'silentMs'>,
  host: string,
  pidAlive: (pid: number) => boolean = isAlive,
): boolean {
  if (f.host === host) return pidAlive(f.pid);
  return f.silentMs < FOLLOW_SILENT_MS;
}

/** Records a follow that starts now, and forgets those judged dead. */
export async function insertFollow(
  c: pg.ClientBase,
  f: { followId: string; host: string; pid: number; intervalMs: number },
): Promise<void> {
  for (const old of await readFollows(c))
    if (!judgeFollow(old, f.host))
      await c.query(`DELETE FROM ${T} WHERE follow_id = $1`, [old.followId]);
  await c.query(`INSERT INTO ${T} (follow_id, host, pid, interval_ms) VALUES ($1, $2, $3, $4)`, [
    f.followId,
    f.host,
    f.pid,
    f.intervalMs,
  ]);
}

/**
 * Every recorded follow, the newest first, live or not; none in a database bqx-monitor has
 * not upgraded to the table yet (`status` only reads).
 */
export async function readFollows(c: pg.ClientBase): Promise<FollowRow[]> {
  const t = await c.query<{ t: string | null }>('SELECT to_regclass($1) AS t', [T]);
  if (!t.rows[0]?.t) return [];
  const r = await c.query(
    `SELECT *, (extract(epoch FROM now() - heartbeat_at) * 1000)::bigint AS silent_ms
       FROM ${T} ORDER BY started_at DESC`,
  );
  return r.rows.map(fromRow);
}

/** The live follows, the newest first (`host`: this process's, to judge its own host's). */
export async function liveFollows(c: pg.ClientBase, host: string): Promise<FollowRow[]> {
  return (await readFollows(c)).filter((f) => judgeFollow(f, host));
}

/**
 * A beat: records the wait (`undefined`: a run goes on) and returns whether a stop was asked
 * for. False when the row is gone (nothing to stop it through).
 */
export async function beatFollow(
  c: pg.ClientBase,
  followId: string,
  w: { waiting: Waiting | undefined; cycles: number; lastRunId: string | undefined },
): Promise<boolean> {
  const r = await c.query<{ stop: boolean }>(
    `UPDATE ${T} SET heartbeat_at = now(), cycles = $2, last_run_id = $3,
            next_check = to_timestamp($4::double precision / 1000),
            last_change_unit = $5, last_change_at = to_timestamp($6::double precision / 1000)
      WHERE follow_id = $1 RETURNING stop_requested_at IS NOT NULL AS stop`,
    [
      followId,
      w.cycles,
      w.lastRunId ?? null,
      w.waiting?.nextCheck ?? null,
      w.waiting?.lastChange?.unit ?? null,
      w.waiting?.lastChange?.at ?? null,
    ],
  );
  return r.rows[0]?.stop === true;
}

/** Whether a stop was asked for the follow (a cheap read between beats). */
export async function followStopRequested(c: pg.ClientBase, followId: string): Promise<boolean> {
  const r = await c.query<{ stop: boolean }>(
    `SELECT stop_requested_at IS NOT NULL AS stop FROM ${T} WHERE follow_id = $1`,
    [followId],
  );
  return r.rows[0]?.stop === true;
}

/** Asks the follows `ids` to stop; returns those that were asked now. */
export async function requestFollowStop(c: pg.ClientBase, ids: readonly string[]): Promise<number> {
  const r = await c.query(
    `UPDATE ${T} SET stop_requested_at = coalesce(stop_requested_at, now())
      WHERE follow_id = ANY($1::text[])`,
    [ids],
  );
  return r.rowCount ?? 0;
}

/** Removes the follow's row: it has ended. */
export async function deleteFollow(c: pg.ClientBase, followId: string): Promise<void> {
  await c.query(`DELETE FROM ${T} WHERE follow_id = $1`, [followId]);
}

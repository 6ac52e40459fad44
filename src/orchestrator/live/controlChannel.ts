import type pg from 'pg';
import { META_SCHEMA } from '../../db/dataset.js';
import type { TrackName } from '../../tracks/protocol/events.js';

/** Channel on which views announce a command for a run (payload: the run id). */
export const CONTROL_CHANNEL = 'bqx_monitor_control';

/**
 * What a view can ask the live run to do. `track` null: every track (`add_worker`,
 * `remove_worker` and `retry` need one: one worker more or fewer for it, its failed units
 * back in the queue).
 */
export type ControlAction =
  | 'pause'
  | 'resume'
  | 'restart'
  | 'stop'
  | 'stop_now'
  | 'add_worker'
  | 'remove_worker'
  | 'retry';

/** A command as the supervisor takes it from the table. */
export interface ControlCommand {
  readonly id: number;
  readonly action: ControlAction;
  readonly track: TrackName | null;
  readonly issuedBy: string;
}

/**
 * Sends a command to a run: a row in `bqx_monitor.run_commands` (so no command is lost,
 * even while the supervisor reconnects) and a NOTIFY that wakes the supervisor at once.
 * Returns the command's id.
 */
export async function sendCommand(
  client: pg.ClientBase,
  runId: string,
  action: ControlAction,
  track: TrackName | null,
  issuedBy: string,
): Promise<number> {
  const r = await client.query<{ id: string }>(
    `WITH c AS (
       INSERT INTO ${META_SCHEMA}.run_commands (run_id, action, track, issued_by)
       VALUES ($1, $2, $3, $4) RETURNING id)
     SELECT id, pg_notify($5, $1) FROM c`,
    [runId, action, track, issuedBy, CONTROL_CHANNEL],
  );
  return Number(r.rows[0]!.id);
}

/** Commands of a run not yet acknowledged, oldest first. */
export async function pendingCommands(
  client: pg.ClientBase,
  runId: string,
): Promise<ControlCommand[]> {
  const r = await client.query<{
    id: string;
    action: string;
    track: string | null;
    issued_by: string;
  }>(
    `SELECT id, action, track, issued_by FROM ${META_SCHEMA}.run_commands
      WHERE run_id = $1 AND acked_at IS NULL ORDER BY id`,
    [runId],
  );
  return r.rows.map((row) => ({
    id: Number(row.id),
    action: row.action as ControlAction,
    track: row.track as TrackName | null,
    issuedBy: row.issued_by,
  }));
}

/** Acknowledges a command with what came of it. */
export async function ackCommand(client: pg.ClientBase, id: number, result: string) {
  await client.query(
    `UPDATE ${META_SCHEMA}.run_commands SET acked_at = now(), result = $2 WHERE id = $1`,
    [id, result],
  );
}

import type pg from 'pg';
import type { WithPgClient } from '../../db/connection/pool.js';
import { META_SCHEMA } from '../../db/dataset.js';
import type { RunEvent } from '../state/events.js';

/** Channel on which the supervisor announces new events of a run (payload: the run id). */
export const EVENTS_CHANNEL = 'bqx_monitor_events';

/** One published event and its place in the run's log. */
export interface PublishedEvent {
  readonly seq: number;
  readonly event: RunEvent;
}

/**
 * The supervisor's side of the run's event log (`bqx_monitor.run_events`): every event
 * gets the next sequence number at once and is written in batches, one batch in flight at
 * a time, so sequence order is commit order and a view that read up to N has all before
 * N. A batch that fails (the database went away) is kept and written again later; a
 * duplicate of a batch whose commit was not acknowledged is ignored.
 */
export class EventPublisher {
  private seq = 0;
  private pending: PublishedEvent[] = [];
  private flushing: Promise<void> | undefined;

  constructor(
    private readonly runId: string,
    private readonly withPgClient: WithPgClient,
  ) {}

  /** Queues an event for the log and returns its sequence number. */
  push(event: RunEvent): number {
    this.seq++;
    this.pending.push({ seq: this.seq, event });
    return this.seq;
  }

  /** Events queued and not yet written. */
  get backlog(): number {
    return this.pending.length;
  }

  /** Writes what is queued (one batch at a time); rejects when the database cannot take it. */
  flush(): Promise<void> {
    this.flushing ??= this.writeAll().finally(() => {
      this.flushing = undefined;
    });
    return this.flushing;
  }

  private async writeAll(): Promise<void> {
    while (this.pending.length > 0) {
      const batch = this.pending.slice(0, 2000);
      await this.withPgClient((c) => writeBatch(c, this.runId, batch));
      this.pending.splice(0, batch.length);
    }
  }
}

async function writeBatch(
  client: pg.ClientBase,
  runId: string,
  batch: readonly PublishedEvent[],
): Promise<void> {
  await client.query(
    `WITH ins AS (
       INSERT INTO ${META_SCHEMA}.run_events (run_id, seq, event)
       SELECT $1, s, e FROM unnest($2::bigint[], $3::jsonb[]) AS t(s, e)
       ON CONFLICT DO NOTHING RETURNING 1)
     SELECT pg_notify($4, $1), (SELECT count(*) FROM ins) AS n`,
    [runId, batch.map((b) => b.seq), batch.map((b) => JSON.stringify(b.event)), EVENTS_CHANNEL],
  );
}

/** Events of a run after `afterSeq`, in order, at most `limit`. */
export async function readEvents(
  client: pg.ClientBase,
  runId: string,
  afterSeq: number,
  limit = 5000,
): Promise<PublishedEvent[]> {
  const r = await client.query<{ seq: string; event: RunEvent }>(
    `SELECT seq, event FROM ${META_SCHEMA}.run_events
      WHERE run_id = $1 AND seq > $2 ORDER BY seq LIMIT $3`,
    [runId, afterSeq, limit],
  );
  return r.rows.map((row) => ({ seq: Number(row.seq), event: row.event }));
}

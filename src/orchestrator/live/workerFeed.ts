import type pg from 'pg';
import type { WithPgClient } from '../../db/connection/pool.js';
import { META_SCHEMA } from '../../db/dataset.js';
import { type WorkerEvent, workerEventSchema } from '../../tracks/protocol/events.js';
import { sleep } from '../../db/connection/sleep.js';

/*
 * The worker feed (`bqx_monitor.worker_feed`): how a worker the supervisor does not run
 * (`bqx-monitor worker` started by a user, on any host) reaches the live run. It appends
 * its protocol events and notifies; the supervisor takes them out in order and folds them
 * like its own children's, so every attached view sees that worker's units and its host.
 */

/** Channel on which a worker announces new rows of the feed. */
export const FEED_CHANNEL = 'bqx_monitor_worker_feed';

/** How often a worker writes what it queued (its stage events coalesce in between). */
export const FEED_FLUSH_MS = 250;

/** Events a worker keeps while the database is away; past it, stages and warnings go first. */
const FEED_BACKLOG = 2000;

const ENDS = new Set<WorkerEvent['type']>([
  'unit_done',
  'unit_empty',
  'unit_failed',
  'worker_exit',
]);

/**
 * A worker's side of the feed: events are queued and written in batches, one batch in
 * flight at a time (so the feed has them in the worker's order). A unit's stage event
 * replaces its previous one still queued: the feed carries progress, not every step; a
 * unit's end is written at once. It
 * never throws: a batch the database did not take is kept and written again later (the
 * worker itself waits the database out).
 */
export class FeedPublisher {
  private pending: WorkerEvent[] = [];
  private flushing: Promise<boolean> | undefined;
  private readonly timer: NodeJS.Timeout;

  constructor(
    private readonly withPgClient: WithPgClient,
    flushMs = FEED_FLUSH_MS,
  ) {
    this.timer = setInterval(() => void this.flush(), flushMs);
    this.timer.unref();
  }

  /** Queues an event for the feed. */
  push(e: WorkerEvent): void {
    if (e.type === 'stage') {
      const i = this.pending.findIndex((p) => p.type === 'stage' && p.unit === e.unit);
      if (i >= 0) this.pending.splice(i, 1);
    }
    this.pending.push(e);
    if (this.pending.length > FEED_BACKLOG) {
      const i = this.pending.findIndex((p) => p.type === 'stage' || p.type === 'warning');
      this.pending.splice(Math.max(i, 0), 1);
    }
    // A unit's end goes at once: before its job leaves the queue, so the run that waits
    // for the queue to empty has counted it when it ends.
    if (ENDS.has(e.type)) void this.flush();
  }

  /** Events queued and not yet written. */
  get backlog(): number {
    return this.pending.length;
  }

  /** Writes what is queued; true when nothing is left (false: the database did not take it). */
  flush(): Promise<boolean> {
    this.flushing ??= this.writeAll().finally(() => {
      this.flushing = undefined;
    });
    return this.flushing;
  }

  private async writeAll(): Promise<boolean> {
    try {
      while (this.pending.length > 0) {
        const batch = this.pending.slice(0, 500);
        await this.withPgClient((c) => writeFeed(c, batch));
        this.pending.splice(0, batch.length);
      }
      return true;
    } catch {
      return false;
    }
  }

  /** Stops the timer after writing what is left, trying until `deadline` (epoch ms). */
  async close(deadline: number): Promise<void> {
    clearInterval(this.timer);
    while (!(await this.flush()) && Date.now() < deadline) {
      await sleep(250);
    }
  }
}

/**
 * Appends a batch, only while a run is live: with none, nobody would take the rows (the
 * next run drops what was written before it anyway).
 */
async function writeFeed(client: pg.ClientBase, batch: readonly WorkerEvent[]): Promise<void> {
  await client.query(
    `WITH ins AS (
       INSERT INTO ${META_SCHEMA}.worker_feed (event)
       SELECT e FROM unnest($1::jsonb[]) WITH ORDINALITY AS t(e, n)
        WHERE EXISTS (SELECT 1 FROM ${META_SCHEMA}.runs WHERE status = 'running')
        ORDER BY n RETURNING 1)
     SELECT pg_notify($2, ''), (SELECT count(*) FROM ins) AS n`,
    [batch.map((e) => JSON.stringify(e)), FEED_CHANNEL],
  );
}

/**
 * Takes up to `limit` events out of the feed, oldest first (a row is taken once: the
 * feed has a single reader, the live run's supervisor). Rows that are not a valid event
 * of this protocol version (another version's worker) are dropped.
 */
export async function takeFeed(client: pg.ClientBase, limit = 2000): Promise<WorkerEvent[]> {
  const r = await client.query<{ id: string; event: unknown }>(
    `DELETE FROM ${META_SCHEMA}.worker_feed
      WHERE id IN (SELECT id FROM ${META_SCHEMA}.worker_feed ORDER BY id LIMIT $1)
      RETURNING id, event`,
    [limit],
  );
  return r.rows
    .sort((a, b) => Number(a.id) - Number(b.id))
    .flatMap((row) => {
      const e = workerEventSchema.safeParse(row.event);
      return e.success ? [e.data] : [];
    });
}

/** Empties the feed: what it holds was written before this run (a new live run starts). */
export async function clearFeed(client: pg.ClientBase): Promise<void> {
  await client.query(`DELETE FROM ${META_SCHEMA}.worker_feed`);
}

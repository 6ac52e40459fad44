import type pg from 'pg';
import { describeLoss, isConnectionLoss } from '../../db/connection/connectionLoss.js';
import { DatabaseGone, retryOnLoss } from '../../db/connection/retry.js';
import { sleep } from '../../db/connection/sleep.js';
import { META_SCHEMA } from '../../db/dataset.js';
import { CONTROL_CHANNEL } from '../live/controlChannel.js';
import { FEED_CHANNEL } from '../live/workerFeed.js';
import { type Claim, claimLiveRun, releaseLiveRunLock, tryLiveRunLock } from '../live/election.js';

/** How the link reports what happens to it. */
export interface LinkEvents {
  /** The database became unreachable (`lost`) or reachable again (`back`). */
  readonly onChange: (state: 'lost' | 'back', since: number, error?: string) => void;
  /** A command may be waiting (a NOTIFY arrived, or the link came back). */
  readonly onCommand: () => void;
  /** A worker the supervisor does not run wrote to the worker feed (or the link came back). */
  readonly onFeed: () => void;
  /** Unreachable for longer than the limit: the run must give up. */
  readonly onGiveUp: (message: string) => void;
  /** Another supervisor owns the database's live run now: this one must stand down. */
  readonly onTakenOver: (message: string) => void;
}

/**
 * The supervisor's link to the database. One session (a client kept out of the pool)
 * holds the live-run lock and LISTENs for commands and for the worker feed. When the database goes away — that
 * session errors, or any query of the run fails with a connection error — the link is
 * `lost`: it reconnects with backoff (0.25 s doubling to 5 s), takes the lock back, checks
 * the run is still recorded as its own and listens again. Past `giveUpAfterMs` it gives up;
 * if another supervisor took the lock meanwhile, this one stands down.
 */
export class SupervisorLink {
  private client: pg.PoolClient | undefined;
  private lostAt: number | undefined;
  private closed = false;
  private readonly closing = new AbortController();
  private runId: string | undefined;

  constructor(
    private readonly pool: pg.Pool,
    private readonly events: LinkEvents,
    private readonly giveUpAfterMs: number,
  ) {}

  /** Since when the database has been unreachable (undefined: it is reachable). */
  get lostSince(): number | undefined {
    return this.lostAt;
  }

  private attach(client: pg.PoolClient): void {
    client.on('error', (err) => {
      if (this.client === client) this.lost(err);
    });
    client.on('notification', (n) => {
      if (n.channel === CONTROL_CHANNEL && n.payload === this.runId) this.events.onCommand();
      if (n.channel === FEED_CHANNEL) this.events.onFeed();
    });
  }

  /**
   * Connects and tries to become the database's live run (election.ts). While the claim
   * waits for a predecessor that may still reconnect, it tries again every second.
   */
  async claim(run: { runId: string; host: string; pid: number; logFile?: string }): Promise<Claim> {
    this.runId = run.runId;
    for (;;) {
      const client = await this.pool.connect();
      let claim: Claim;
      try {
        claim = await claimLiveRun(client, run);
      } catch (err) {
        client.release(err as Error);
        throw err;
      }
      if (claim.kind === 'won') {
        this.client = client;
        this.attach(client);
        await client.query(`LISTEN ${CONTROL_CHANNEL}; LISTEN ${FEED_CHANNEL}`);
        return claim;
      }
      client.release();
      if (claim.kind === 'taken') return claim;
      await sleep(1000);
    }
  }

  /** Runs `fn` on the session holding the lock; a connection error marks the link lost. */
  async withControl<T>(fn: (client: pg.ClientBase) => Promise<T>): Promise<T> {
    const client = this.client;
    if (!client || this.lostAt !== undefined) throw new Error('the database is unreachable');
    try {
      return await fn(client);
    } catch (err) {
      this.noteFailure(err);
      throw err;
    }
  }

  /** Any of the run's queries failed: when it is a connection error, the link is lost. */
  noteFailure(err: unknown): void {
    if (isConnectionLoss(err)) this.lost(err);
  }

  /** No more reconnecting: the run has ended, or it stands down. */
  private shut(): void {
    this.closed = true;
    this.closing.abort();
  }

  private lost(err: unknown): void {
    if (this.closed || this.lostAt !== undefined) return;
    this.lostAt = Date.now();
    const old = this.client;
    this.client = undefined;
    old?.release(true);
    this.events.onChange('lost', this.lostAt, describeLoss(err));
    void this.reconnect();
  }

  /**
   * Reconnects with backoff until the link is back, it gives up (past `giveUpAfterMs`
   * from the loss), another supervisor took over, or it was closed.
   */
  private async reconnect(): Promise<void> {
    try {
      await retryOnLoss(() => this.reattach(), {
        limitMs: this.giveUpAfterMs,
        ...(this.lostAt !== undefined ? { since: this.lostAt } : {}),
        firstDelayMs: 250,
        // Whatever keeps the session from coming back: the database is not there yet.
        isLoss: () => true,
        signal: this.closing.signal,
      });
    } catch (err) {
      if (err instanceof DatabaseGone) this.events.onGiveUp(err.message);
    }
  }

  /** One try: a session, the lock, the run still its own, LISTEN; then the link is back. */
  private async reattach(): Promise<void> {
    const client = await this.pool.connect();
    try {
      if (!(await tryLiveRunLock(client))) {
        client.release();
        return this.standDown('another supervisor took the database over while it was unreachable');
      }
      const own = await client.query(
        `UPDATE ${META_SCHEMA}.runs SET backend_pid = pg_backend_pid(), heartbeat_at = now()
          WHERE run_id = $1 AND status = 'running'`,
        [this.runId],
      );
      if ((own.rowCount ?? 0) === 0) {
        await releaseLiveRunLock(client).catch(() => {});
        client.release();
        return this.standDown('the run was declared lost while the database was unreachable');
      }
      await client.query(`LISTEN ${CONTROL_CHANNEL}; LISTEN ${FEED_CHANNEL}`);
    } catch (err) {
      client.release(err as Error);
      throw err;
    }
    const since = this.lostAt!;
    this.client = client;
    this.attach(client);
    this.lostAt = undefined;
    this.events.onChange('back', since);
    this.events.onCommand();
    this.events.onFeed();
  }

  private standDown(message: string): void {
    this.shut();
    this.events.onTakenOver(message);
  }

  /** Gives the lock back and closes the session (the run has ended). */
  async close(): Promise<void> {
    this.shut();
    const client = this.client;
    this.client = undefined;
    if (!client) return;
    try {
      await client.query('UNLISTEN *');
      await releaseLiveRunLock(client);
      client.release();
    } catch (err) {
      client.release(err as Error);
    }
  }
}

import type { WithPgClient } from '../../db/connection/pool.js';
import { META_SCHEMA } from '../../db/dataset.js';
import { TRACKS } from '../plan/planUnits.js';
import { clearFeed, takeFeed } from '../live/workerFeed.js';
import { DEAD_AFTER_MS } from '../queue/workerRegistry.js';
import type { RemoteWorker, RunEvent } from '../state/events.js';

/** How often the registry is read for workers that joined or left. */
export const REMOTE_POLL_MS = 2000;

/** Rows taken from the feed at a time. */
const FEED_BATCH = 2000;

const key = (w: RemoteWorker) => `${w.host}:${w.pid}:${w.track}`;

/**
 * The supervisor's side of the workers it does not run: takes their events out of the
 * worker feed (on its NOTIFY, and on a timer in case one was missed) and dispatches them
 * as `worker_event`s; reads the worker registry and dispatches `remote_workers` when the
 * list changed (a worker silent past the registry's timeout is gone). Its own children
 * (`own`: every pid it started on `host`) are not remote, even once they exited.
 */
export class RemoteWorkers {
  private reading: Promise<void> | undefined;
  private again = false;
  private listed = '';

  constructor(
    private readonly withPgClient: WithPgClient,
    private readonly host: string,
    private readonly own: ReadonlySet<number>,
    private readonly dispatch: (ev: RunEvent) => void,
  ) {}

  /** Drops what the feed holds from before this run. */
  start(): Promise<void> {
    return this.withPgClient((c) => clearFeed(c));
  }

  /** Takes the feed's new events; resolves once taken (a read in progress reads again). */
  readFeed(): Promise<void> {
    if (this.reading) {
      this.again = true;
      return this.reading;
    }
    this.reading = this.readAll().finally(() => {
      this.reading = undefined;
    });
    return this.reading;
  }

  private async readAll(): Promise<void> {
    do {
      this.again = false;
      for (;;) {
        const events = await this.withPgClient((c) => takeFeed(c, FEED_BATCH));
        // Stamped with this process's clock: another host's clock may be off.
        const at = Date.now();
        for (const e of events)
          this.dispatch({
            type: 'worker_event',
            at,
            track: e.track,
            pid: e.pid,
            event: e,
            remote: true,
          });
        if (events.length < FEED_BATCH) break;
      }
    } while (this.again);
  }

  /** Reads the registry; dispatches the list of remote workers when it changed. */
  async poll(): Promise<void> {
    const r = await this.withPgClient((c) =>
      c.query<{ host: string; pid: number; track: string }>(
        `SELECT DISTINCT host, pid, track FROM ${META_SCHEMA}.workers
          WHERE greatest(heartbeat_at, pg_postmaster_start_time())
                  >= now() - make_interval(secs => $1::double precision / 1000)
          ORDER BY host, pid, track`,
        [DEAD_AFTER_MS],
      ),
    );
    const workers = r.rows
      .filter((w) => !(w.host === this.host && this.own.has(w.pid)))
      .filter((w): w is RemoteWorker => (TRACKS as readonly string[]).includes(w.track));
    const listed = workers.map(key).join(',');
    if (listed === this.listed) return;
    this.listed = listed;
    this.dispatch({ type: 'remote_workers', at: Date.now(), workers });
  }
}

import type { Every } from './every.js';
import { REMOTE_POLL_MS, type RemoteWorkers } from './remoteWorkers.js';
import type { SupervisorLink } from './supervisorLink.js';

/**
 * Takes the worker feed (the events of workers this process did not start) from the run's
 * preparation to its end: on the link's NOTIFY, every second in case one was missed, and
 * once more at the end. Nothing is taken while the database is away.
 */
export class FeedTaker {
  private on = false;

  constructor(
    private readonly remote: RemoteWorkers,
    private readonly link: SupervisorLink,
    private readonly onDbError: (err: unknown) => void,
  ) {}

  /** Drops what the feed held before this run and starts taking it. */
  async open(every: Every, reachable: <T>(fn: () => Promise<T>) => Promise<T>): Promise<void> {
    await reachable(() => this.remote.start());
    this.on = true;
    every.add(1000, () => this.take());
    every.add(
      REMOTE_POLL_MS,
      () => (this.link.lostSince === undefined ? this.remote.poll() : undefined),
      this.onDbError,
    );
  }

  /** Takes what the feed holds now (a NOTIFY came, or the timer). */
  take(): void {
    if (this.on && this.link.lostSince === undefined)
      void this.remote.readFeed().catch(this.onDbError);
  }

  /** What other hosts' workers reported up to now is part of the run's end. */
  async close(): Promise<void> {
    if (this.on && this.link.lostSince === undefined) await this.remote.readFeed().catch(() => {});
    this.on = false;
  }
}

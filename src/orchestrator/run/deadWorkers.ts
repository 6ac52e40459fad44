import type { WithPgClient } from '../../db/connection/pool.js';
import { META_SCHEMA } from '../../db/dataset.js';
import { releaseInterruptedJobs } from '../queue/privateJobs.js';
import { DEAD_AFTER_MS, releaseDeadWorkers } from '../queue/workerRegistry.js';

/** Why a worker's units go back to the queue. */
export type Departure = 'crashed' | 'interrupted';

/**
 * The units held by this host's workers that died (or were stopped at once), to be given
 * back to the queue. Kept until the database has taken them: a worker that dies while the
 * database is unreachable has its units released as soon as it is back.
 */
export class DeadWorkers {
  private readonly pending = new Map<number, Departure>();

  constructor(
    private readonly host: string,
    private readonly withPgClient: WithPgClient,
  ) {}

  /** Notes a departed worker; `flush` releases its units. */
  add(pid: number, why: Departure): void {
    if (this.pending.get(pid) !== 'interrupted') this.pending.set(pid, why);
  }

  /** Releases what is pending; rejects (keeping it) when the database cannot be reached. */
  async flush(): Promise<void> {
    if (this.pending.size === 0) return;
    const batch = new Map(this.pending);
    await this.withPgClient(async (c) => {
      const interrupted = [...batch].filter(([, w]) => w === 'interrupted').map(([p]) => p);
      if (interrupted.length > 0) {
        const ids = await c.query<{ worker_id: string }>(
          `SELECT worker_id FROM ${META_SCHEMA}.workers WHERE host = $1 AND pid = ANY($2::int[])`,
          [this.host, interrupted],
        );
        await releaseInterruptedJobs(
          c,
          ids.rows.map((r) => r.worker_id),
        );
      }
      await releaseDeadWorkers(c, {
        host: this.host,
        deadPids: [...batch.keys()],
        timeoutMs: DEAD_AFTER_MS,
      });
    });
    for (const pid of batch.keys()) this.pending.delete(pid);
  }
}

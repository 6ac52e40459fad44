import { sleep } from '../../db/connection/sleep.js';

/** How long `clear` waits for turns still running (a query to a database that hangs). */
const SETTLE_MS = 2000;

/** Periodic jobs of a run, each skipped while its previous turn is still busy. */
export class Every {
  private readonly timers: NodeJS.Timeout[] = [];
  private readonly running = new Set<Promise<void>>();
  private cleared = false;

  /** Runs `fn` every `ms`; its errors go to `onError` (never an unhandled rejection). */
  add(ms: number, fn: () => Promise<void> | void, onError: (err: unknown) => void = () => {}) {
    // A job added after the run's end (a preparation that went on meanwhile) never runs.
    if (this.cleared) return;
    let busy = false;
    const t = setInterval(() => {
      if (busy) return;
      busy = true;
      const turn: Promise<void> = Promise.resolve()
        .then(fn)
        .catch(onError)
        .finally(() => {
          busy = false;
          this.running.delete(turn);
        });
      this.running.add(turn);
    }, ms);
    this.timers.push(t);
  }

  /**
   * Stops every job and waits (a little) for the turns still running, so that none of
   * them reports after the run's end.
   */
  async clear(): Promise<void> {
    this.cleared = true;
    for (const t of this.timers.splice(0)) clearInterval(t);
    await Promise.race([Promise.all(this.running), sleep(SETTLE_MS)]);
  }
}

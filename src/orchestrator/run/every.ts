/** Periodic jobs of a run, each skipped while its previous turn is still busy. */
export class Every {
  private readonly timers: NodeJS.Timeout[] = [];
  private cleared = false;

  /** Runs `fn` every `ms`; its errors go to `onError` (never an unhandled rejection). */
  add(ms: number, fn: () => Promise<void> | void, onError: (err: unknown) => void = () => {}) {
    // A job added after the run's end (a preparation that went on meanwhile) never runs.
    if (this.cleared) return;
    let busy = false;
    const t = setInterval(() => {
      if (busy) return;
      busy = true;
      Promise.resolve()
        .then(fn)
        .catch(onError)
        .finally(() => {
          busy = false;
        });
    }, ms);
    this.timers.push(t);
  }

  /** Stops every job. */
  clear(): void {
    this.cleared = true;
    for (const t of this.timers.splice(0)) clearInterval(t);
  }
}

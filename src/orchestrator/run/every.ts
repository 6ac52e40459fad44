/** Periodic jobs of a run, each skipped while its previous turn is still busy. */
export class Every {
  private readonly timers: NodeJS.Timeout[] = [];

  /** Runs `fn` every `ms`; its errors go to `onError` (never an unhandled rejection). */
  add(ms: number, fn: () => Promise<void> | void, onError: (err: unknown) => void = () => {}) {
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
    for (const t of this.timers.splice(0)) clearInterval(t);
  }
}

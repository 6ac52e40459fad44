/** Log lines (stdout text, stderr) of one worker passed on per second; the rest are counted. */
export const LOG_LINES_PER_SECOND = 20;

/** Stage events of one worker passed on per second; the rest wait, the latest per unit kept. */
export const STAGES_PER_SECOND = 10;

/**
 * What one worker's output may cost the run: every event passed on is published to the
 * database and replayed by every view, so a chatty worker (a library printing in a loop, a
 * stage per batch of a fast unit) is held to a few lines a second. Log lines past the limit
 * are dropped and counted (the count comes as a line of its own); stages past it wait for
 * the next second and only the latest of each unit is passed on, so a running unit's
 * activity stays true and arrives late by at most a second.
 */
export class OutputRate<S> {
  private windowStart = 0;
  private logs = 0;
  private stages = 0;
  private dropped = 0;
  private readonly held = new Map<string, S>();
  private timer: NodeJS.Timeout | undefined;

  constructor(
    private readonly o: {
      readonly now: () => number;
      readonly log: (text: string) => void;
      readonly stage: (event: S) => void;
    },
  ) {}

  private roll(): void {
    const now = this.o.now();
    if (now - this.windowStart < 1000) return;
    this.windowStart = now;
    this.logs = 0;
    this.stages = 0;
  }

  /** A log line: passed on, or counted as dropped past the limit. */
  log(text: string): void {
    this.roll();
    if (this.logs >= LOG_LINES_PER_SECOND) {
      this.dropped++;
      return;
    }
    this.reportDropped();
    this.logs++;
    this.o.log(text);
  }

  private reportDropped(): void {
    if (this.dropped === 0) return;
    const n = this.dropped;
    this.dropped = 0;
    this.logs++;
    this.o.log(`(${n} more line(s) of output left out: over ${LOG_LINES_PER_SECOND} a second)`);
  }

  /** A stage of `unit`: passed on, or held (replacing the unit's held one) until the next second. */
  stage(unit: string, event: S): void {
    this.roll();
    if (this.stages < STAGES_PER_SECOND && !this.held.has(unit)) {
      this.stages++;
      this.o.stage(event);
      return;
    }
    this.held.set(unit, event);
    if (!this.timer) {
      this.timer = setTimeout(() => this.release(), 1000 - (this.o.now() - this.windowStart));
      this.timer.unref();
    }
  }

  private release(): void {
    this.timer = undefined;
    this.roll();
    for (const [unit, event] of this.held) {
      if (this.stages >= STAGES_PER_SECOND) break;
      this.held.delete(unit);
      this.stages++;
      this.o.stage(event);
    }
    if (this.held.size > 0) {
      this.timer = setTimeout(() => this.release(), 1000);
      this.timer.unref();
    }
  }

  /** The unit ended: a stage of it still held is stale. */
  unitEnded(unit: string): void {
    this.held.delete(unit);
  }

  /** The worker exited: what is held is stale; a count of dropped lines is still told. */
  close(): void {
    if (this.timer) clearTimeout(this.timer);
    this.timer = undefined;
    this.held.clear();
    this.reportDropped();
  }
}

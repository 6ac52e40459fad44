import { Counter, Gauge, Histogram, Registry } from 'prom-client';
import type { TrackName } from '../../tracks/protocol/events.js';
import type { RunEvent, RunPhase } from '../state/events.js';
import type { RunFeed } from '../state/runFeed.js';
import {
  hostSummaries,
  overall,
  remainingUnits,
  type RunState,
  TRACK_ORDER,
  trackEta,
} from '../state/runState.js';

/**
 * The run's Prometheus metrics, derived from the supervisor's own state (the reducer it
 * feeds): gauges are read from the latest state when scraped; the counters and the
 * histogram follow the events. Names: docs/notifications.md.
 */

/** Phases a run goes through, and `ended` once it has. */
const PHASES: readonly (RunPhase | 'ended')[] = [
  'starting',
  'seeding',
  'preflight',
  'planning',
  'running',
  'stopping',
  'ended',
];

/** Unit time buckets (seconds): a Track 1 unit takes ~1 s, a Track 3 pair minutes at scale. */
const UNIT_SECONDS = [0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 120, 300, 600];

/** A run's metrics in a registry of their own, kept current from its feed. */
export class RunMetrics {
  readonly registry = new Registry();
  private state: RunState;
  private readonly unsubscribe: () => void;
  private readonly rows: Counter<'track'>;
  private readonly bytes: Counter<'track'>;
  private readonly unitSeconds: Histogram<'track'>;
  /** What the counters were last raised to, per track (they follow the state's totals). */
  private readonly counted = new Map<string, number>();

  constructor(feed: RunFeed) {
    this.state = feed.getState();
    const registers = [this.registry];
    const self = this;
    new Gauge({
      name: 'bqx_units',
      help: 'Units in scope per track by state: done, no_data, failed, queued, running, stale (stale: 0 until the run tracks staleness)',
      labelNames: ['track', 'state'],
      registers,
      collect() {
        this.reset();
        for (const [track, counts] of Object.entries(unitCounts(self.state)))
          for (const [state, n] of Object.entries(counts)) this.set({ track, state }, n);
      },
    });
    new Gauge({
      name: 'bqx_workers',
      help: 'Worker processes of the run per host and track',
      labelNames: ['host', 'track'],
      registers,
      collect() {
        this.reset();
        for (const h of hostSummaries(self.state))
          for (const track of TRACK_ORDER) this.set({ host: h.host, track }, h.workers[track]);
      },
    });
    new Gauge({
      name: 'bqx_eta_seconds',
      help: 'Seconds left per track and for the run (track="all"); absent while unknown',
      labelNames: ['track'],
      registers,
      collect() {
        this.reset();
        for (const track of TRACK_ORDER) {
          const eta = trackEta(self.state, track);
          if (eta !== undefined) this.set({ track }, eta);
        }
        const all = overall(self.state).eta;
        if (all !== undefined) this.set({ track: 'all' }, all);
      },
    });
    new Gauge({
      name: 'bqx_database_reachable',
      help: '1 while the supervisor reaches the database, 0 while it waits it out',
      registers,
      collect() {
        this.set(self.state.unreachableSince.supervisor === undefined ? 1 : 0);
      },
    });
    new Gauge({
      name: 'bqx_run_phase',
      help: "1 for the run's current phase, 0 for the others",
      labelNames: ['phase'],
      registers,
      collect() {
        const now = self.state.finished ? 'ended' : self.state.phase;
        for (const phase of PHASES) this.set({ phase }, phase === now ? 1 : 0);
      },
    });
    this.rows = new Counter({
      name: 'bqx_rows_written_total',
      help: 'Rows this run wrote per track',
      labelNames: ['track'],
      registers,
    });
    this.bytes = new Counter({
      name: 'bqx_bytes_written_total',
      help: 'Bytes this run wrote per track',
      labelNames: ['track'],
      registers,
    });
    this.unitSeconds = new Histogram({
      name: 'bqx_unit_duration_seconds',
      help: 'Time of the units this run wrote, per track (as their workers measured it)',
      labelNames: ['track'],
      buckets: UNIT_SECONDS,
      registers,
    });
    for (const track of TRACK_ORDER) {
      this.rows.inc({ track }, 0);
      this.bytes.inc({ track }, 0);
    }
    this.unsubscribe = feed.subscribe((s, ev) => this.take(s, ev));
  }

  /** Stops following the feed. */
  close(): void {
    this.unsubscribe();
  }

  private take(state: RunState, ev: RunEvent): void {
    this.state = state;
    if (ev.type === 'worker_event') {
      const e = ev.event;
      if (e.type === 'unit_done') this.unitSeconds.observe({ track: ev.track }, e.ms / 1000);
    }
    for (const track of TRACK_ORDER) {
      const r = state.tracks[track].thisRun;
      this.raise(this.rows, track, 'rows', r.rows);
      this.raise(this.bytes, track, 'bytes', r.bytes);
    }
  }

  /** Counters only go up: raise one to the state's total (a total never goes down). */
  private raise(c: Counter<'track'>, track: TrackName, what: string, total: number): void {
    const key = `${what}:${track}`;
    const before = this.counted.get(key) ?? 0;
    if (total > before) {
      c.inc({ track }, total - before);
      this.counted.set(key, total);
    }
  }
}

/** Per track, its units by state (pure). */
export function unitCounts(
  state: RunState,
): Record<
  TrackName,
  Record<'done' | 'no_data' | 'failed' | 'queued' | 'running' | 'stale', number>
> {
  const out = {} as ReturnType<typeof unitCounts>;
  for (const track of TRACK_ORDER) {
    const t = state.tracks[track];
    out[track] = {
      done: t.done,
      no_data: t.noData,
      failed: t.failed,
      queued: Math.max(0, remainingUnits(t) - t.running.length),
      running: t.running.length,
      // The run's state counts no stale units yet (the staleness check is to come).
      stale: 0,
    };
  }
  return out;
}

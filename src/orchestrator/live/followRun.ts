import os from 'node:os';
import type pg from 'pg';
import { describeLoss } from '../../db/connection/connectionLoss.js';
import type { WithPgClient } from '../../db/connection/pool.js';
import type { TrackName } from '../../tracks/protocol/events.js';
import type { RunEvent } from '../state/events.js';
import type { RunEnding, RunView } from '../state/runFeed.js';
import { initialState, type RunState, reduce } from '../state/runState.js';
import { type ControlAction, sendCommand } from './controlChannel.js';
import { judgeRun, probeLiveness } from './election.js';
import { EVENTS_CHANNEL, readEvents } from './eventLog.js';
import type { Snapshot } from '../state/snapshot.js';
import { readRunWithSnapshot } from './runRecord.js';

/** What a view needs of the database. */
export interface ViewDatabase {
  readonly pool: pg.Pool;
  readonly withPgClient: WithPgClient;
}

export interface FollowOptions {
  /** Fallback poll period when no NOTIFY comes (default 1 s). */
  readonly pollMs?: number;
  /** How this view names itself in the commands it sends (default `host:pid`). */
  readonly issuedBy?: string;
}

/**
 * A view of a run from the database: replays the run's published events
 * (`bqx_monitor.run_events`) through the same pure reducer the supervisor uses, so it shows
 * what the supervisor's state holds; follows new ones as a NOTIFY announces them (and
 * every second regardless); judges every second whether the supervisor is still there; and
 * sends commands through the control channel. Its own findings — the database unreachable
 * from here, the supervisor gone — are events of its copy only.
 */
export class RunFollower implements RunView {
  private state: RunState = initialState(Date.now());
  private readonly listeners = new Set<(s: RunState, ev: RunEvent) => void>();
  private seq = 0;
  private polling = false;
  private again = false;
  private closed = false;
  private lastJudged = 0;
  private listener: pg.PoolClient | undefined;
  private readonly timers: NodeJS.Timeout[] = [];
  private resolveDone!: (e: RunEnding) => void;
  readonly done: Promise<RunEnding>;

  private constructor(
    private readonly db: ViewDatabase,
    readonly runId: string,
    private readonly o: FollowOptions,
  ) {
    this.done = new Promise((r) => {
      this.resolveDone = r;
    });
  }

  /** Opens a view of `runId` and replays what the run has published so far. */
  static async open(db: ViewDatabase, runId: string, o: FollowOptions = {}): Promise<RunFollower> {
    const f = new RunFollower(db, runId, o);
    await f.poll();
    f.timers.push(setInterval(() => void f.poll(), o.pollMs ?? 1000));
    f.timers.push(setInterval(() => f.dispatch({ type: 'tick', at: Date.now() }), 1000));
    void f.listen();
    return f;
  }

  getState(): RunState {
    return this.state;
  }

  subscribe(fn: (state: RunState, ev: RunEvent) => void): () => void {
    this.listeners.add(fn);
    return () => this.listeners.delete(fn);
  }

  private dispatch(ev: RunEvent): void {
    this.state = reduce(this.state, ev);
    for (const fn of this.listeners) fn(this.state, ev);
    if (this.state.finished) this.finish();
  }

  private finish(): void {
    const s = this.state;
    if (s.lost !== undefined) {
      this.resolveDone({ state: s, status: 'lost', exitCode: 1, message: s.lost });
    } else if (s.end) {
      this.resolveDone({ state: s, ...s.end });
    }
  }

  /** Sends a command to the run's supervisor (it acknowledges it in its events). */
  async send(action: ControlAction, track: TrackName | null): Promise<number> {
    const by = this.o.issuedBy ?? `${os.hostname()}:${process.pid}`;
    return this.db.withPgClient((c) => sendCommand(c, this.runId, action, track, by));
  }

  private async listen(): Promise<void> {
    if (this.closed || this.listener) return;
    try {
      const client = await this.db.pool.connect();
      client.on('notification', (n) => {
        if (n.channel === EVENTS_CHANNEL && n.payload === this.runId) void this.poll();
      });
      client.on('error', () => {
        if (this.listener === client) this.listener = undefined;
        client.release(true);
      });
      await client.query(`LISTEN ${EVENTS_CHANNEL}`);
      this.listener = client;
      if (this.closed) this.dropListener();
    } catch {
      // No NOTIFY for now: the poll goes on and listens again once the database answers.
    }
  }

  private dropListener(): void {
    const l = this.listener;
    this.listener = undefined;
    l?.release(true);
  }

  /** Reads what is new, in order; notes when the database becomes (un)reachable from here. */
  async poll(): Promise<void> {
    if (this.closed) return;
    if (this.polling) {
      this.again = true;
      return;
    }
    this.polling = true;
    try {
      do {
        this.again = false;
        await this.readNew();
        const lostSince = this.state.unreachableSince.view;
        if (lostSince !== undefined) {
          this.dispatch({
            type: 'connection',
            at: Date.now(),
            side: 'view',
            state: 'back',
            since: lostSince,
          });
          void this.listen();
        }
        await this.judge();
      } while (this.again && !this.closed);
    } catch (err) {
      if (this.state.unreachableSince.view === undefined && !this.closed) {
        const at = Date.now();
        this.dispatch({
          type: 'connection',
          at,
          side: 'view',
          state: 'lost',
          since: at,
          error: describeLoss(err),
        });
      }
    } finally {
      this.polling = false;
    }
  }

  private async readNew(): Promise<void> {
    for (;;) {
      const batch = await this.db.withPgClient((c) => readEvents(c, this.runId, this.seq));
      for (const e of batch) {
        this.seq = e.seq;
        this.dispatch(e.event);
      }
      if (batch.length < 5000) return;
    }
  }

  /** Once a second: is the supervisor still there? A run gone without an end is lost. */
  private async judge(): Promise<void> {
    if (this.state.finished || Date.now() - this.lastJudged < 1000) return;
    this.lastJudged = Date.now();
    const verdict = await this.db.withPgClient(async (c) => {
      const found = await readRunWithSnapshot(c, this.runId);
      if (!found) return { kind: 'lost' as const, why: 'the run is not recorded in this database' };
      const { run } = found;
      this.takeSamples(found.snapshot as Snapshot | undefined);
      if (run.status !== 'running') {
        return run.status === 'lost'
          ? { kind: 'lost' as const, why: run.message ?? 'its supervisor is gone' }
          : { kind: 'ended' as const };
      }
      return judgeRun(run, await probeLiveness(c, os.hostname()));
    });
    if (verdict.kind === 'lost') {
      // The supervisor may have finished between two reads: take its last events first.
      await this.readNew();
      if (!this.state.finished)
        this.dispatch({ type: 'run_lost', at: Date.now(), message: verdict.why });
    } else if (verdict.kind === 'ended') {
      await this.readNew();
    }
  }

  /** The machine and database samples of the supervisor's latest heartbeat, when new. */
  private takeSamples(snap: Snapshot | undefined): void {
    const at = Date.now();
    if (snap?.system && JSON.stringify(snap.system) !== JSON.stringify(this.state.system))
      this.dispatch({ type: 'system_sample', at, sample: snap.system });
    if (snap?.database && JSON.stringify(snap.database) !== JSON.stringify(this.state.database))
      this.dispatch({ type: 'database_sample', at, sample: snap.database });
  }

  /** Stops following (the view is closing). */
  close(): void {
    this.closed = true;
    for (const t of this.timers) clearInterval(t);
    this.dropListener();
  }
}

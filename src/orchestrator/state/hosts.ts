import type { TrackName } from '../../tracks/protocol/events.js';
import { throughput } from './eta.js';
import { type Interval, type RunState, TRACK_ORDER, type TrackState } from './stateTypes.js';
import { isLive } from './trackMachine.js';

/** One host of the run: its workers per track, and what its units did this run. */
export interface HostSummary {
  readonly host: string;
  /** The supervisor's host (its workers are the supervisor's children, and any started there). */
  readonly supervisor: boolean;
  readonly workers: Readonly<Record<TrackName, number>>;
  /** Units running there now. */
  readonly running: number;
  readonly done: number;
  readonly noData: number;
  readonly failed: number;
  /** Finished units (done or no data) per second; undefined until one finished. */
  readonly unitsPerSec: number | undefined;
}

const NO_WORKERS: Record<TrackName, number> = { bollinger: 0, regression: 0, extraction: 0 };

/**
 * The supervisor's own workers, as every panel counts them: processes it started and has
 * not seen exit (the System line, the hosts line and the track lines count these).
 */
export function supervisorWorkers(state: RunState): number {
  return TRACK_ORDER.reduce((n, k) => n + state.tracks[k].workers.length, 0);
}

/** A track's pauses up to `to`, the current one included, oldest first. */
function pausesOf(t: TrackState, to: number): Interval[] {
  return t.pausedSince === undefined ? [...t.pauses] : [...t.pauses, { from: t.pausedSince, to }];
}

/** Where two lists of ordered, disjoint intervals overlap. */
function overlap(a: readonly Interval[], b: readonly Interval[]): Interval[] {
  const out: Interval[] = [];
  for (const x of a)
    for (const y of b) {
      const from = Math.max(x.from, y.from);
      const to = Math.min(x.to, y.to);
      if (to > from) out.push({ from, to });
    }
  return out;
}

/**
 * Milliseconds of [from, to] in which every track that could work was paused (pure): the
 * run's workers were all stopped then, so a host's rate leaves that time out as a track's
 * rate leaves out its own pauses. The tracks that could work: those running, restarting or
 * paused now (every track that paused, once none is).
 */
export function allPausedWithin(state: RunState, from: number, to: number): number {
  const all = TRACK_ORDER.map((k) => state.tracks[k]);
  const working = all.filter((t) => isLive(t.status) && t.status !== 'waiting');
  const tracks = working.length > 0 ? working : all.filter((t) => t.pauses.length > 0);
  if (tracks.length === 0) return 0;
  const both = tracks.map((t) => pausesOf(t, to)).reduce((acc, next) => overlap(acc, next));
  return both.reduce((ms, p) => ms + Math.max(0, Math.min(p.to, to) - Math.max(p.from, from)), 0);
}

/**
 * The run's hosts (pure, from the state): the supervisor's first, then the others by
 * name. A host is listed while it has workers, and afterwards for what it finished. The
 * supervisor's host counts its children and any worker a user started there beside it.
 */
export function hostSummaries(state: RunState): HostSummary[] {
  const home = state.supervisor?.host;
  const names = new Set<string>();
  if (home !== undefined) names.add(home);
  for (const w of state.remoteWorkers) names.add(w.host);
  for (const h of Object.keys(state.hosts)) names.add(h);
  for (const k of TRACK_ORDER) for (const r of state.tracks[k].running) names.add(r.host);
  const ordered = [...names].sort((a, b) =>
    a === home ? -1 : b === home ? 1 : a < b ? -1 : a > b ? 1 : 0,
  );
  return ordered.map((host) => {
    const workers = { ...NO_WORKERS };
    // The same count as supervisorWorkers: the processes started and not seen exit.
    for (const k of TRACK_ORDER) if (host === home) workers[k] += state.tracks[k].workers.length;
    for (const w of state.remoteWorkers) if (w.host === host) workers[w.track]++;
    const tally = state.hosts[host];
    // Time every track was paused is not working time: the rate does not decay meanwhile.
    const rate =
      tally &&
      throughput(tally.finishes, tally.since, state.now, (a, b) => allPausedWithin(state, a, b));
    return {
      host,
      supervisor: host === home,
      workers,
      running: TRACK_ORDER.reduce(
        (n, k) => n + state.tracks[k].running.filter((r) => r.host === host).length,
        0,
      ),
      done: tally?.done ?? 0,
      noData: tally?.noData ?? 0,
      failed: tally?.failed ?? 0,
      unitsPerSec: rate?.unitsPerSec,
    };
  });
}

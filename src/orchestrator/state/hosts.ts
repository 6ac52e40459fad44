import type { TrackName } from '../../tracks/protocol/events.js';
import { throughput } from './eta.js';
import { type RunState, TRACK_ORDER } from './stateTypes.js';

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
    for (const k of TRACK_ORDER) if (host === home) workers[k] += state.tracks[k].workers.length;
    for (const w of state.remoteWorkers) if (w.host === host) workers[w.track]++;
    const tally = state.hosts[host];
    const rate = tally && throughput(tally.finishes, tally.since, state.now);
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

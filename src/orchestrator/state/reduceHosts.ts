import { RATE_WINDOW_MS } from './eta.js';
import type { RemoteWorker, RunEvent } from './events.js';
import { note } from './stateOps.js';
import type { HostTally, RunState, UnitOutcome } from './stateTypes.js';

type Ev<T extends RunEvent['type']> = Extract<RunEvent, { type: T }>;

const NEW_HOST = { done: 0, noData: 0, failed: 0, finishes: [] } as const;

/** The state with a host known from `at` on (its first unit starting), unchanged if it was. */
export function seenHost(s: RunState, host: string, at: number): RunState {
  if (s.hosts[host]) return s;
  return { ...s, hosts: { ...s.hosts, [host]: { since: at, ...NEW_HOST } } };
}

/** A unit that ended for good on a host, as its tally counts it. */
export interface HostFinish {
  readonly host: string;
  readonly at: number;
  readonly rows: number;
  readonly outcome: UnitOutcome;
}

/** A unit finished for good on its host (counted once, as its track counts it). */
export function tallyHost(s: RunState, f: HostFinish): RunState {
  const was: HostTally = s.hosts[f.host] ?? { since: f.at, ...NEW_HOST };
  const finishes =
    f.outcome === 'failed'
      ? was.finishes
      : [...was.finishes, { at: f.at, rows: f.rows }].filter(
          (x, i, all) => x.at >= f.at - RATE_WINDOW_MS || i >= all.length - 3,
        );
  const tally = { ...was, [f.outcome]: was[f.outcome] + 1, finishes };
  return { ...s, hosts: { ...s.hosts, [f.host]: tally } };
}

const same = (a: RemoteWorker) => (b: RemoteWorker) => a.host === b.host && a.pid === b.pid;

/**
 * The registry's list of workers the supervisor does not run. One that joined or left is
 * noted; one that left takes its running units with it (it exited, or died and its
 * heartbeat ran out: the queue gives them to another worker), so none stays a ghost.
 */
export function onRemoteWorkers(s: RunState, ev: Ev<'remote_workers'>): RunState {
  const gone = s.remoteWorkers.filter((w) => !ev.workers.some(same(w)));
  const joined = ev.workers.filter((w) => !s.remoteWorkers.some(same(w)));
  let next: RunState = { ...s, remoteWorkers: ev.workers };
  if (gone.length > 0) {
    const held = (r: { remote: boolean; host: string; pid: number }) =>
      r.remote && gone.some((w) => w.host === r.host && w.pid === r.pid);
    const tracks = { ...next.tracks };
    for (const k of Object.keys(tracks) as (keyof typeof tracks)[]) {
      const t = tracks[k];
      if (t.running.some(held)) tracks[k] = { ...t, running: t.running.filter((r) => !held(r)) };
    }
    next = { ...next, tracks };
  }
  const noteWorker = (w: RemoteWorker, joined: boolean) => {
    const n = { kind: 'remote_worker', host: w.host, pid: w.pid, joined } as const;
    next = note(next, { at: ev.at, track: w.track, level: 'info', note: n });
  };
  for (const w of joined) noteWorker(w, true);
  for (const w of gone) noteWorker(w, false);
  return next;
}

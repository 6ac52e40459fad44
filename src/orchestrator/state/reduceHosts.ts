import { RATE_WINDOW_MS } from './eta.js';
import type { RemoteWorker, RunEvent } from './events.js';
import { note } from './stateOps.js';
import type { HostTally, RunState } from './stateTypes.js';

type Ev<T extends RunEvent['type']> = Extract<RunEvent, { type: T }>;

const NEW_HOST = { done: 0, empty: 0, failed: 0, finishes: [] } as const;

/** The state with a host known from `at` on (its first unit starting), unchanged if it was. */
export function seenHost(s: RunState, host: string, at: number): RunState {
  if (s.hosts[host]) return s;
  return { ...s, hosts: { ...s.hosts, [host]: { since: at, ...NEW_HOST } } };
}

/** A unit finished for good on `host` (counted once, as its track counts it). */
export function tallyHost(
  s: RunState,
  host: string,
  at: number,
  rows: number,
  kind: 'done' | 'empty' | 'failed',
): RunState {
  const was: HostTally = s.hosts[host] ?? { since: at, ...NEW_HOST };
  const finishes =
    kind === 'failed'
      ? was.finishes
      : [...was.finishes, { at, rows }].filter(
          (f, i, all) => f.at >= at - RATE_WINDOW_MS || i >= all.length - 3,
        );
  const tally = { ...was, [kind]: was[kind] + 1, finishes };
  return { ...s, hosts: { ...s.hosts, [host]: tally } };
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
  for (const w of joined)
    next = note(next, ev.at, w.track, 'info', {
      kind: 'remote_worker',
      host: w.host,
      pid: w.pid,
      joined: true,
    });
  for (const w of gone)
    next = note(next, ev.at, w.track, 'info', {
      kind: 'remote_worker',
      host: w.host,
      pid: w.pid,
      joined: false,
    });
  return next;
}

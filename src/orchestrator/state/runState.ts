import type { RunEvent } from './events.js';
import { onRemoteWorkers } from './reduceHosts.js';
import {
  onCommand,
  onConnection,
  onFinished,
  onPlanned,
  onPreflight,
  onRunLost,
  onRunStarted,
} from './reduceRun.js';
import {
  onChildExited,
  onChildStarted,
  onTrackControl,
  onTrackState,
  onTrackWorkers,
  onUnitStalled,
} from './reduceTrack.js';
import { onUnitsRetried, onWorkerEvent, onWorkerLog } from './reduceWorker.js';
import type { RunState } from './stateTypes.js';

export type { Level, Note, RecentEvent } from './notes.js';
export * from './stateTypes.js';
export * from './trackProgress.js';
export * from './hosts.js';
export type { TrackStatus } from './trackMachine.js';

/**
 * The state's clocks at `at`: both follow the events and ticks; `now`, the instant of every
 * figure, stops at the run's end (reduceRun.ts), so an ended run's figures stay its end's.
 */
function clockAt(state: RunState, at: number): RunState {
  if (at <= state.clock) return state;
  return { ...state, clock: at, now: state.endedAt === undefined ? at : state.now };
}

/**
 * The pure reducer `(state, event) → state`: everything the dashboard, `--json` and
 * `status` show comes from here, in the supervisor and, from its published events, in
 * every view. It records numbers and kinds; the wording is the views'. The run's events
 * are folded in reduceRun.ts, a track's in reduceTrack.ts, a worker's in reduceWorker.ts,
 * the hosts' in reduceHosts.ts.
 */
export function reduce(state: RunState, ev: RunEvent): RunState {
  const s = clockAt(state, ev.at);
  switch (ev.type) {
    case 'run_started':
      return onRunStarted(s, ev);
    case 'run_phase':
      return { ...s, phase: ev.phase, phaseDetail: ev.detail };
    case 'preflight':
      return onPreflight(s, ev);
    case 'run_planned':
      return onPlanned(s, ev);
    case 'run_history':
      return { ...s, history: ev.tracks, budget: ev.budget };
    case 'worker_event':
      return onWorkerEvent(s, ev);
    case 'remote_workers':
      return onRemoteWorkers(s, ev);
    case 'worker_log':
      return onWorkerLog(s, ev);
    case 'child_started':
      return onChildStarted(s, ev);
    case 'child_exited':
      return onChildExited(s, ev);
    case 'track_state':
      return onTrackState(s, ev);
    case 'track_workers':
      return onTrackWorkers(s, ev);
    case 'units_retried':
      return onUnitsRetried(s, ev);
    case 'track_control':
      return onTrackControl(s, ev);
    case 'unit_stalled':
      return onUnitStalled(s, ev);
    case 'command':
      return onCommand(s, ev);
    case 'connection':
      return onConnection(s, ev);
    case 'run_report':
      return { ...s, report: ev.report };
    case 'run_finished':
      return onFinished(s, ev);
    case 'run_lost':
      return onRunLost(s, ev);
    case 'tick':
      return s;
    case 'system_sample':
      return { ...s, system: ev.sample };
    case 'database_sample':
      return { ...s, database: ev.sample };
  }
}

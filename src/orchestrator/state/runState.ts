import type { RunEvent } from './events.js';
import { onChildExited, onConnection, onFinished, onPlanned, onTrackState } from './reduceRun.js';
import { onRemoteWorkers } from './reduceHosts.js';
import { onUnitsRetried, onWorkerEvent } from './reduceWorker.js';
import { note, output, withTrack } from './stateOps.js';
import type { RunState } from './stateTypes.js';

export type { Level, Note, RecentEvent } from './notes.js';
export * from './stateTypes.js';
export * from './trackProgress.js';
export * from './hosts.js';
export type { TrackStatus } from './trackMachine.js';

/**
 * The pure reducer `(state, event) → state`: everything the dashboard, `--json` and
 * `status` show comes from here, in the supervisor and, from its published events, in
 * every view. It records numbers and kinds; the wording is the views'.
 */
export function reduce(state: RunState, ev: RunEvent): RunState {
  const s = ev.at > state.now ? { ...state, now: ev.at } : state;
  switch (ev.type) {
    case 'run_started':
      return note(
        {
          ...s,
          runId: ev.runId,
          startedAt: s.startedAt ?? ev.at,
          supervisor: {
            host: ev.host,
            pid: ev.pid,
            ...(ev.logFile ? { logFile: ev.logFile } : {}),
          },
          resumedFrom: ev.resumedFrom,
        },
        ev.at,
        undefined,
        'info',
        {
          kind: 'run_started',
          runId: ev.runId,
          host: ev.host,
          pid: ev.pid,
          resumedFrom: ev.resumedFrom,
        },
      );
    case 'run_phase':
      return { ...s, phase: ev.phase, phaseDetail: ev.detail };
    case 'preflight':
      return note(
        { ...s, preflight: ev.report },
        ev.at,
        undefined,
        ev.report.ok ? 'info' : 'error',
        {
          kind: 'preflight',
          ok: ev.report.ok,
          problems: ev.report.problems.length,
          tables: ev.report.tablesChecked,
        },
      );
    case 'run_planned':
      return onPlanned(s, ev);
    case 'run_history':
      return { ...s, history: ev.tracks, budget: ev.budget };
    case 'worker_event':
      return onWorkerEvent(s, ev.at, ev.pid, ev.event, ev.remote === true);
    case 'remote_workers':
      return onRemoteWorkers(s, ev);
    case 'worker_log':
      return output(s, ev.at, ev.track, ev.pid, ev.stream === 'stderr' ? 'warn' : 'info', {
        kind: 'worker_log',
        pid: ev.pid,
        stream: ev.stream,
        text: ev.text,
      });
    case 'child_started': {
      const next = withTrack(
        { ...s, starting: { ...s.starting, [ev.pid]: ev.at } },
        ev.track,
        (t) => ({
          ...t,
          workers: [...t.workers.filter((p) => p !== ev.pid), ev.pid],
          startedAt: t.startedAt ?? ev.at,
        }),
      );
      return output(next, ev.at, ev.track, ev.pid, 'info', { kind: 'worker_started', pid: ev.pid });
    }
    case 'child_exited':
      return onChildExited(s, ev);
    case 'track_state':
      return onTrackState(s, ev);
    case 'track_workers': {
      const next = withTrack(s, ev.track, (t) => ({ ...t, plannedWorkers: ev.workers }));
      // The ETA's simulation of the scheduler uses the new limits too (a `+` may raise both).
      const budget = s.budget && {
        budget: ev.budget ?? s.budget.budget,
        caps: { ...s.budget.caps, [ev.track]: ev.workers },
      };
      return { ...next, budget };
    }
    case 'units_retried':
      return onUnitsRetried(s, ev.track, ev.units);
    case 'track_control':
      return note(s, ev.at, ev.track, ev.action === 'restart_backoff' ? 'warn' : 'info', {
        kind: 'track_note',
        message: ev.message ?? ev.action,
      });
    case 'unit_stalled':
      return note(
        withTrack(s, ev.track, (t) => ({
          ...t,
          running: t.running.map((r) => (r.unit === ev.unit ? { ...r, stalled: true } : r)),
        })),
        ev.at,
        ev.track,
        'warn',
        { kind: 'unit_stalled', unit: ev.unit, pid: ev.pid, silentMs: ev.silentMs },
        ev.pid,
      );
    case 'command':
      return note(s, ev.at, ev.track ?? undefined, 'info', {
        kind: 'command',
        action: ev.action,
        track: ev.track,
        by: ev.by,
        result: ev.result,
      });
    case 'connection':
      return onConnection(s, ev);
    case 'run_report':
      return { ...s, report: ev.report };
    case 'run_finished':
      return onFinished(s, ev);
    case 'run_lost':
      return note({ ...s, lost: ev.message, finished: true }, ev.at, undefined, 'error', {
        kind: 'run_lost',
        message: ev.message,
      });
    case 'tick':
      return s;
    case 'system_sample':
      return { ...s, system: ev.sample };
    case 'database_sample':
      return { ...s, database: ev.sample };
  }
}

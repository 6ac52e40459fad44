import {
  overall,
  remainingUnits,
  type RunState,
  TRACK_ORDER,
  trackEta,
  trackStatus,
  trackThroughput,
} from './runState.js';

const round = (n: number, digits = 2) => Math.round(n * 10 ** digits) / 10 ** digits;
const iso = (ms: number | undefined) => (ms === undefined ? null : new Date(ms).toISOString());

/** The whole state as plain JSON (`--json` snapshots, `status --json`). */
export function snapshot(state: RunState) {
  const o = overall(state);
  return {
    runId: state.runId ?? null,
    phase: state.phase,
    startedAt: iso(state.startedAt),
    now: iso(state.now),
    elapsedSeconds:
      state.startedAt === undefined ? 0 : round((state.now - state.startedAt) / 1000, 1),
    finished: state.finished,
    overall: {
      total: o.total,
      finished: o.finished,
      failed: o.failed,
      percent: o.total === 0 ? 100 : round((100 * o.finished) / o.total, 1),
      etaSeconds: o.eta === undefined ? null : round(o.eta, 0),
    },
    tracks: TRACK_ORDER.map((track) => {
      const t = state.tracks[track];
      const rate = trackThroughput(t, state.now);
      const eta = trackEta(t, state.now);
      return {
        track,
        status: trackStatus(t),
        total: t.total,
        done: t.done,
        noData: t.empty,
        failed: t.failed,
        remaining: remainingUnits(t),
        retries: t.retries,
        rows: t.rows,
        bytes: t.bytes,
        percent: t.total === 0 ? 100 : round((100 * (t.done + t.empty + t.failed)) / t.total, 1),
        unitsPerSec: rate ? round(rate.unitsPerSec, 3) : null,
        rowsPerSec: rate ? round(rate.rowsPerSec, 0) : null,
        etaSeconds: eta === undefined ? null : round(eta, 0),
        workers: t.workers,
        crashes: t.crashes,
        running: t.running.map((r) => ({
          unit: r.unit,
          pid: r.pid,
          attempt: r.attempt,
          activity: r.activity,
          seconds: round((state.now - r.startedAt) / 1000, 1),
          stalled: r.stalled,
        })),
        lastFinished: t.lastFinished ?? null,
      };
    }),
    system: state.system ?? null,
    database: state.database ?? null,
  };
}

export type Snapshot = ReturnType<typeof snapshot>;

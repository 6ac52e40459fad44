import { describeActivity, describeNote } from '../text/describe.js';
import {
  type HostSummary,
  hostSummaries,
  overall,
  PARTITIONS_PER_UNIT,
  remainingUnits,
  type RunState,
  TRACK_ORDER,
  type TrackState,
  trackEta,
  trackStatus,
  trackThroughput,
  unitActiveMs,
} from './runState.js';

const round = (n: number, digits = 2) => Math.round(n * 10 ** digits) / 10 ** digits;
const iso = (ms: number | undefined) => (ms === undefined ? null : new Date(ms).toISOString());

/** What this run did for a track: `partitions` for Tracks 1–2, `files` for Track 3. */
function thisRunOf(t: TrackState) {
  const r = t.thisRun;
  const base = { done: r.done, noData: r.noData, failed: r.failed, rows: r.rows, bytes: r.bytes };
  return t.track === 'extraction'
    ? { ...base, files: r.done }
    : { ...base, partitions: r.done * PARTITIONS_PER_UNIT[t.track] };
}

/** One track as plain JSON: cumulative counts (earlier runs included) and `thisRun`. */
function trackSnapshot(state: RunState, t: TrackState, now: number) {
  const rate = trackThroughput(t, now);
  const eta = trackEta(state, t.track);
  return {
    track: t.track,
    status: trackStatus(t),
    statusReason: t.statusReason,
    total: t.total,
    done: t.done,
    noData: t.noData,
    failed: t.failed,
    stale: t.stale,
    remaining: remainingUnits(t),
    retries: t.retries,
    rows: t.rows,
    bytes: t.bytes,
    thisRun: thisRunOf(t),
    percent: t.total === 0 ? 100 : round((100 * (t.done + t.noData + t.failed)) / t.total, 1),
    unitsPerSec: rate ? round(rate.unitsPerSec, 3) : null,
    rowsPerSec: rate ? round(rate.rowsPerSec, 0) : null,
    etaSeconds: eta === undefined ? null : round(eta, 0),
    workers: t.workers,
    plannedWorkers: t.plannedWorkers,
    crashes: t.crashes,
    running: t.running.map((r) => ({
      unit: r.unit,
      pid: r.pid,
      host: r.host,
      attempt: r.attempt,
      activity: describeActivity(r.activity),
      stage: r.activity ?? null,
      seconds: round(unitActiveMs(t, r, now) / 1000, 1),
      stalled: r.stalled,
    })),
    lastFinished: t.lastFinished ? describeNote(t.lastFinished) : null,
  };
}

/**
 * A host as plain JSON. Its no-data count is `empty` there, as earlier versions wrote it
 * (`status` of any version reads the snapshot its supervisor stored).
 */
function hostJson(h: HostSummary) {
  return {
    host: h.host,
    supervisor: h.supervisor,
    workers: h.workers,
    running: h.running,
    done: h.done,
    empty: h.noData,
    failed: h.failed,
    unitsPerSec: h.unitsPerSec === undefined ? null : round(h.unitsPerSec, 3),
  };
}

/** The whole state as plain JSON (`--json` snapshots, the heartbeat `status` reads). */
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
    end: state.end ?? null,
    databaseUnreachableSince: {
      supervisor: iso(state.unreachableSince.supervisor),
      view: iso(state.unreachableSince.view),
    },
    overall: {
      total: o.total,
      finished: o.finished,
      failed: o.failed,
      percent: o.total === 0 ? 100 : round((100 * o.finished) / o.total, 1),
      etaSeconds: o.eta === undefined ? null : round(o.eta, 0),
    },
    tracks: TRACK_ORDER.map((track) => trackSnapshot(state, state.tracks[track], state.now)),
    hosts: hostSummaries(state).map(hostJson),
    system: state.system ?? null,
    database: state.database ?? null,
  };
}

export type Snapshot = ReturnType<typeof snapshot>;

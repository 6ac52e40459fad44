import type { TrackName } from '../../tracks/protocol/events.js';
import type { Budget, TrackHistory } from './historyTypes.js';
export type { Budget, TrackHistory } from './historyTypes.js';
import type { RunState, TrackState } from './stateTypes.js';
import { TRACK_ORDER } from './stateTypes.js';

/**
 * Relative cost of a unit per track (ms): the bench's per-unit times of each track. They
 * choose which track starts first while nothing is known of the units yet, and estimate a
 * track that has neither history nor a finished unit, scaled by how the tracks that have
 * finished units compare with theirs (never shown before any unit has finished).
 */
export const PRIOR_UNIT_MS: Readonly<Record<TrackName, number>> = {
  bollinger: 300,
  regression: 1300,
  extraction: 4600,
};

/**
 * A worker's start (its process, modules, connections, the queue) until its first unit,
 * before this run has measured one: 0.7–1.2 s in the demo's runs on this machine.
 */
export const WORKER_STARTUP_PRIOR_MS = 1000;

/** Weight of the history against this run's own measurements, in units. */
const PRIOR_UNITS = 3;

function median(xs: readonly number[]): number | undefined {
  if (xs.length === 0) return undefined;
  const s = [...xs].sort((a, b) => a - b);
  const m = Math.floor(s.length / 2);
  return s.length % 2 ? s[m] : (s[m - 1]! + s[m]!) / 2;
}

/** The time a unit is expected to take from history (ms), before this run's correction. */
function predicted(h: TrackHistory, ms: number | null): number | undefined {
  if (ms !== null) return ms;
  if (h.doneMs === null) return undefined;
  return h.doneMs * (1 - h.emptyShare) + (h.emptyMs ?? 0) * h.emptyShare;
}

/** Σ actual and Σ predicted time of a track's units this run finished, that history knows. */
function paceOf(t: TrackState, h: TrackHistory): { actual: number; expected: number } {
  const byUnit = new Map(h.todo.map((u) => [u.unit, u.ms]));
  let actual = 0;
  let expected = 0;
  for (const f of t.timings) {
    const p = predicted(h, byUnit.has(f.unit) ? (byUnit.get(f.unit) ?? null) : null);
    if (p === undefined) continue;
    actual += f.ms;
    expected += p;
  }
  return { actual, expected };
}

/**
 * How far this run is from its history: per track, Σ actual / Σ predicted over the units
 * it finished, pulled towards the whole run's ratio by a prior worth `PRIOR_UNITS` of its
 * units, and that towards 1 the same way. The machine may be busier or quieter than when
 * the history was recorded: the tracks that finished units first tell the others.
 */
function correction(state: RunState, track: TrackName): number {
  let actual = 0;
  let expected = 0;
  let typical = 0;
  for (const k of TRACK_ORDER) {
    const h = state.history?.[k];
    if (!h) continue;
    const p = paceOf(state.tracks[k], h);
    actual += p.actual;
    expected += p.expected;
    typical = Math.max(typical, median(h.todo.map((u) => u.ms ?? h.doneMs ?? 0)) ?? 0);
  }
  const global = (actual + PRIOR_UNITS * typical) / (expected + PRIOR_UNITS * typical || 1);
  const h = state.history?.[track];
  if (!h) return global;
  const own = paceOf(state.tracks[track], h);
  const prior = PRIOR_UNITS * (median(h.todo.map((u) => u.ms ?? h.doneMs ?? 0)) ?? 0);
  return prior + own.expected > 0 ? (own.actual + prior * global) / (own.expected + prior) : global;
}

/**
 * A unit of `track` (ms) when neither history nor this run knows its track: its prior
 * (`PRIOR_UNIT_MS`) times the median, over the tracks that have finished units this run,
 * of their measured median over their prior. Undefined while no unit has finished.
 */
export function fromPriors(state: RunState, track: TrackName): number | undefined {
  const ratios: number[] = [];
  for (const k of TRACK_ORDER) {
    const m = median(state.tracks[k].timings.map((f) => f.ms));
    if (m !== undefined) ratios.push(m / PRIOR_UNIT_MS[k]);
  }
  const pace = median(ratios);
  return pace === undefined ? undefined : pace * PRIOR_UNIT_MS[track];
}

/** A track's remaining work in worker-milliseconds, and how many units are left to take. */
export interface Work {
  readonly ms: number;
  readonly units: number;
}

/** A unit still to run, with its time in history (null where history has none). */
type UnitToRun = TrackHistory['todo'][number];

/**
 * The units a track has still to run: from history, those this run has not finished;
 * without history, as many anonymous units as its counts leave.
 */
function unitsToRun(state: RunState, track: TrackName): readonly UnitToRun[] {
  const t = state.tracks[track];
  const h = state.history?.[track];
  if (h) return h.todo.filter((u) => !t.finishedUnits.has(u.unit));
  const count = Math.max(0, t.total - t.done - t.noData - t.failed);
  return Array.from({ length: count }, () => ({ unit: '', ms: null }));
}

/**
 * The work a track has left (pure): the expected time of each unit still to run (from
 * history, corrected by this run's pace), the rest of each running one; without history,
 * this run's mean time per unit. Undefined while nothing is known.
 */
export function remainingWork(state: RunState, track: TrackName): Work | undefined {
  const t = state.tracks[track];
  const h = state.history?.[track];
  const items = unitsToRun(state, track);
  if (items.length === 0) return { ms: 0, units: 0 };
  const running = new Map(t.running.map((r) => [r.unit, r]));
  const measured = median(t.timings.map((f) => f.ms)) ?? fromPriors(state, track);
  const f = h ? correction(state, track) : 1;
  let ms = 0;
  let units = 0;
  for (const u of items) {
    const p = h ? predicted(h, u.ms) : undefined;
    const each = p !== undefined ? p * f : measured;
    if (each === undefined) return undefined;
    const r = running.get(u.unit);
    // A running unit has only its rest to go, yet never less than a twentieth of its time.
    const done = r ? state.now - r.startedAt - r.pausedMs : 0;
    ms += Math.max(each * 0.05, each - Math.max(0, done));
    if (!r) units++;
  }
  return { ms, units };
}

interface SimTrack {
  readonly track: TrackName;
  work: number;
  units: number;
  workers: number;
  readonly cap: number;
  finish: number | undefined;
}

/**
 * The track a free worker slot goes to: the one whose units left are the largest (its work
 * left per unit), ties to the one with the most work. Largest units first keeps a run's end
 * short: the small units left last fill every slot until the last one ends, where a large
 * unit started last runs alone (4 pairs: Track 3's last pairs ran alone for 8 s of a
 * 104 s run when the slots went to the most work instead; docs/performance.md).
 */
export function nextTrack<T extends { work: number; units: number; workers: number; cap: number }>(
  tracks: readonly T[],
): T | undefined {
  let best: T | undefined;
  for (const t of tracks) {
    // No slot past its cap, nor more workers than it has units to give them.
    if (t.workers >= t.cap || t.units <= t.workers || t.work <= 0) continue;
    if (!best) best = t;
    else {
      const unit = t.work / t.units;
      const bestUnit = best.work / best.units;
      if (unit > bestUnit || (unit === bestUnit && t.work > best.work)) best = t;
    }
  }
  return best;
}

/**
 * The tracks that still move, as the simulation starts them, and those already done (0).
 * `complete` is false when a track's work is not known yet: the simulation then stops
 * at the tracks before it, as the estimate has always done.
 */
function simTracks(
  state: RunState,
  budget: Budget,
): { sims: SimTrack[]; out: Partial<Record<TrackName, number>>; complete: boolean } {
  const sims: SimTrack[] = [];
  const out: Partial<Record<TrackName, number>> = {};
  // A worker given a slot first starts (its process, its connections): this run's median.
  const startup = median(state.startups) ?? WORKER_STARTUP_PRIOR_MS;
  for (const track of TRACK_ORDER) {
    const t = state.tracks[track];
    if (t.status === 'paused' || t.status === 'failed' || t.status === 'stopped') continue;
    const w = remainingWork(state, track);
    if (!w) return { sims, out, complete: false };
    if (w.ms <= 0) {
      out[track] = 0;
      continue;
    }
    // Workers started and not at a unit yet are still starting.
    const starting = t.workers.filter((pid) => state.starting[pid] !== undefined).length;
    sims.push({
      track,
      work: w.ms + starting * startup,
      units: w.units + t.running.length,
      workers: t.running.length > 0 ? Math.max(t.workers.length, 1) : t.workers.length,
      cap: budget.caps[track],
      finish: undefined,
    });
  }
  return { sims, out, complete: true };
}

/**
 * Runs the tracks to their ends (sets each `finish`, ms from now): free slots go to the
 * track `nextTrack` picks, each new worker paying `startup` first; time jumps to the next
 * track end.
 */
function runToEnd(sims: SimTrack[], budget: number, startup: number): void {
  let busy = sims.reduce((n, s) => n + s.workers, 0);
  let now = 0;
  for (let guard = 0; guard < 1000; guard++) {
    while (busy < budget) {
      const next = nextTrack(sims.filter((s) => s.finish === undefined));
      if (!next) break;
      next.workers++;
      next.work += startup;
      busy++;
    }
    const live = sims.filter((s) => s.finish === undefined && s.workers > 0);
    if (live.length === 0) break;
    const dt = Math.min(...live.map((s) => s.work / s.workers));
    now += dt;
    for (const s of live) {
      s.work -= s.workers * dt;
      if (s.work <= 1e-6) {
        s.finish = now;
        busy -= s.workers;
        s.workers = 0;
      }
    }
  }
}

/**
 * When each track will end (ms from now, pure): the workers go where the scheduler sends
 * them — the tracks' work shared among at most `budget` workers, each slot freed by a
 * track that ends given to the track `nextTrack` picks — each worker doing a
 * worker-millisecond of work per millisecond. Paused tracks do not move (undefined).
 */
export function simulate(state: RunState, budget: Budget): Partial<Record<TrackName, number>> {
  const { sims, out, complete } = simTracks(state, budget);
  if (!complete) return out;
  runToEnd(sims, budget.budget, median(state.startups) ?? WORKER_STARTUP_PRIOR_MS);
  for (const s of sims) if (s.finish !== undefined) out[s.track] = s.finish;
  return out;
}

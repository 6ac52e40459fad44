import { type RunState, TRACK_ORDER } from './runState.js';

/** A running unit silent past the stall threshold, not yet flagged. */
export interface Stall {
  readonly track: (typeof TRACK_ORDER)[number];
  readonly unit: string;
  readonly pid: number;
  readonly silentMs: number;
}

/**
 * Units to flag as stalled at `now` (pure): running, not flagged yet, silent for longer
 * than `state.stallMs`, in a track that is not paused (silence while paused is expected).
 */
export function findStalls(state: RunState, now: number): Stall[] {
  const out: Stall[] = [];
  for (const track of TRACK_ORDER) {
    const t = state.tracks[track];
    if (t.status === 'paused') continue;
    for (const r of t.running) {
      const silentMs = now - r.lastEventAt;
      if (!r.stalled && silentMs > state.stallMs)
        out.push({ track, unit: r.unit, pid: r.pid, silentMs });
    }
  }
  return out;
}

import type { TrackName } from '../../tracks/protocol/events.js';
import type { RecentEvent } from './notes.js';
import { OUTPUT_LIMIT, RECENT_LIMIT, type RunState, type TrackState } from './stateTypes.js';

/** The state with one track replaced by `fn(track)`. */
export function withTrack(
  state: RunState,
  track: TrackName,
  fn: (t: TrackState) => TrackState,
): RunState {
  return { ...state, tracks: { ...state.tracks, [track]: fn(state.tracks[track]) } };
}

/** The state with a line added to the recent events (the oldest dropped past the limit). */
export function note(state: RunState, line: RecentEvent): RunState {
  const recent = [...state.recent, line];
  if (recent.length > RECENT_LIMIT) recent.splice(0, recent.length - RECENT_LIMIT);
  return { ...state, recent, noted: state.noted + 1 };
}

/** A line of a worker's output: always of a track and a worker process. */
export type OutputLine = RecentEvent & { readonly track: TrackName; readonly pid: number };

/**
 * The state with a line of a worker's output added (the oldest dropped past the limit);
 * its `host`: that of a worker the supervisor does not run.
 */
export function output(state: RunState, line: OutputLine): RunState {
  const lines = [...state.output, line];
  if (lines.length > OUTPUT_LIMIT) lines.splice(0, lines.length - OUTPUT_LIMIT);
  return { ...state, output: lines, outputNoted: state.outputNoted + 1 };
}

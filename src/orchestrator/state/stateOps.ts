import type { TrackName } from '../../tracks/protocol/events.js';
import type { Level, Note } from './notes.js';
import { RECENT_LIMIT, type RunState, type TrackState } from './stateTypes.js';

/** The state with one track replaced by `fn(track)`. */
export function withTrack(
  state: RunState,
  track: TrackName,
  fn: (t: TrackState) => TrackState,
): RunState {
  return { ...state, tracks: { ...state.tracks, [track]: fn(state.tracks[track]) } };
}

/** The state with a line added to the recent events (the oldest dropped past the limit). */
export function note(
  state: RunState,
  at: number,
  track: TrackName | undefined,
  level: Level,
  n: Note,
): RunState {
  const recent = [...state.recent, { at, track, level, note: n }];
  if (recent.length > RECENT_LIMIT) recent.splice(0, recent.length - RECENT_LIMIT);
  return { ...state, recent, noted: state.noted + 1 };
}

import { Text } from 'ink';
import { formatDuration } from '../../orchestrator/state/eta.js';
import {
  formatCount,
  overall,
  type RunState,
  TRACK_ORDER,
} from '../../orchestrator/state/runState.js';
import { bar, percent } from '../format.js';
import { tint, txt, useTheme } from '../theme.js';

/** Overall progress over all units and the ETA of the slowest track. */
export function Overall({ state, width }: { state: RunState; width: number }) {
  const t = useTheme();
  const o = overall(state);
  const fraction = o.total === 0 ? 1 : o.finished / o.total;
  const tail = ` ${percent(fraction)}  ${o.finished}/${o.total} units  ETA ${formatDuration(o.eta)}`;
  return (
    <Text wrap="truncate">
      <Text bold>{'  Overall            '}</Text>
      <Text color={tint(t, 'green')}>
        {bar(fraction, Math.max(8, Math.min(52, width - 22 - tail.length)), t.g)}
      </Text>
      {txt(t, tail)}
      {o.failed > 0 ? <Text color={tint(t, 'red')}>{`  ${o.failed} failed`}</Text> : null}
    </Text>
  );
}

/** What a finished run leaves on screen. */
export function Summary({ state }: { state: RunState }) {
  const t = useTheme();
  const x = state.tracks.extraction;
  const partitions = state.tracks.bollinger.done + 2 * state.tracks.regression.done;
  const failed = TRACK_ORDER.reduce((n, k) => n + state.tracks[k].failed, 0);
  const gaveUp = TRACK_ORDER.filter((k) => state.tracks[k].status === 'failed');
  const ok = failed === 0 && gaveUp.length === 0 && !state.interrupted;
  const title = state.interrupted
    ? 'Run stopped'
    : ok
      ? 'Run complete'
      : 'Run finished with failures';
  return (
    <Text wrap="truncate">
      <Text bold color={tint(t, ok ? 'green' : 'red')}>
        {`${ok ? t.g.ok : t.g.fail} ${title}: `}
      </Text>
      {txt(
        t,
        `${x.done} Parquet file(s), ${(x.bytes / 1e6).toFixed(1)} MB (this run); ${formatCount(partitions)} partition(s) written; ${failed} failed unit(s)`,
      )}
      {gaveUp.length ? `; failed: ${gaveUp.join(', ')}` : ''}
      {txt(t, '  — q to quit')}
    </Text>
  );
}

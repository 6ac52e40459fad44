import { Text } from 'ink';
import type { RunState } from '../../orchestrator/state/runState.js';
import { truncate } from '../format.js';
import { tint, txt, useTheme } from '../theme.js';
import { Summary } from './Overall.js';

const hms = (ms: number) => new Date(ms).toISOString().slice(11, 19);

/**
 * The one line under the overall bar: what matters most about the run right now — it was
 * lost, the database is unreachable (from this view, or from the supervisor), its summary
 * once it ended, what it is preparing or that it is stopping; else blank.
 */
export function StatusLine({ state, width }: { state: RunState; width: number }) {
  const t = useTheme();
  const line = (colour: string, text: string) => (
    <Text bold color={tint(t, colour)} wrap="truncate">
      {truncate(txt(t, text), width, t.g)}
    </Text>
  );
  if (state.lost !== undefined)
    return line(
      'red',
      `${t.g.fail} run stopped unexpectedly: ${state.lost} — start bqx-monitor again to carry it on`,
    );
  const view = state.unreachableSince.view;
  if (view !== undefined)
    return line('red', `${t.g.fail} database unreachable since ${hms(view)} UTC, retrying`);
  const sup = state.unreachableSince.supervisor;
  if (sup !== undefined)
    return line('yellow', `! the run lost its database at ${hms(sup)} UTC; it is reconnecting`);
  if (state.finished) return <Summary state={state} width={width} />;
  if (state.phase === 'stopping')
    return line('yellow', `stopping: ${state.phaseDetail ?? 'running units finish first'}`);
  if (state.phase !== 'running')
    return line(
      'cyan',
      `preparing: ${state.phase}${state.phaseDetail ? ` ${state.phaseDetail}` : ''}`,
    );
  return <Text> </Text>;
}

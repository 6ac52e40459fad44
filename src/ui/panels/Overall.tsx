import { Text } from 'ink';
import { formatDuration } from '../../orchestrator/state/eta.js';
import {
  overall,
  type RunState,
  TRACK_ORDER,
  thisRunTotals,
} from '../../orchestrator/state/runState.js';
import { describeTotals } from '../../orchestrator/text/describe.js';
import { bar, percent } from '../format.js';
import { tint, txt, useTheme } from '../theme.js';

/** Overall progress over all units and the ETA of the slowest track. */
export function Overall({ state, width }: { state: RunState; width: number }) {
  const t = useTheme();
  const o = overall(state);
  const fraction = o.total === 0 ? 1 : o.finished / o.total;
  const counts = ` ${percent(fraction)}  ${o.finished}/${o.total} units  `;
  const failed = `${o.failed} failed`;
  const eta = txt(t, `  ETA ${formatDuration(o.eta)}`);
  const label = '  Overall            ';
  // The bar takes what the words leave: they stay whole at 80 columns.
  const barWidth = Math.max(
    8,
    width - 1 - label.length - counts.length - failed.length - eta.length,
  );
  return (
    <Text wrap="truncate">
      <Text bold>{label}</Text>
      <Text color={tint(t, 'green')}>{bar(fraction, barWidth, t.g)}</Text>
      {counts}
      <Text color={o.failed > 0 ? tint(t, 'red') : undefined}>{failed}</Text>
      {eta}
    </Text>
  );
}

/** The words of a run's end: its title and what this run did, most important first. */
export function summaryParts(state: RunState): { ok: boolean; title: string; parts: string[] } {
  const r = thisRunTotals(state);
  const failedTracks = TRACK_ORDER.filter((k) => state.tracks[k].status === 'failed');
  const status = state.end?.status;
  const ok = status === 'complete';
  const title =
    status === 'complete'
      ? 'Run complete'
      : status === 'interrupted'
        ? 'Run stopped'
        : failedTracks.length > 0
          ? `Run failed (${failedTracks.join(', ')})`
          : 'Run failed';
  return {
    ok,
    title,
    parts: describeTotals(r).map((p, i) => (i === 0 ? `this run: ${p}` : p)),
  };
}

/** What a finished run leaves on screen: as many of its parts as the width holds. */
export function Summary({ state, width }: { state: RunState; width: number }) {
  const t = useTheme();
  const { ok, title, parts } = summaryParts(state);
  const head = `${ok ? t.g.ok : t.g.fail} ${title}: `;
  let body = parts[0]!;
  for (const p of parts.slice(1)) {
    if (head.length + body.length + 3 + p.length > width) break;
    body += ` · ${p}`;
  }
  return (
    <Text wrap="truncate">
      <Text bold color={tint(t, ok ? 'green' : 'red')}>
        {head}
      </Text>
      {txt(t, body)}
    </Text>
  );
}

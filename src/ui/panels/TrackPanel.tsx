import { Box, Text } from 'ink';
import { formatDuration } from '../../orchestrator/state/eta.js';
import {
  remainingUnits,
  type TrackState,
  type TrackStatus,
  trackStatus,
  trackThroughput,
  unitActiveMs,
} from '../../orchestrator/state/runState.js';
import { describeNote, describeRunning } from '../../orchestrator/text/describe.js';
import type { TrackName } from '../../tracks/protocol/events.js';
import { bar, percent, rate, truncate } from '../format.js';
import { tint, txt, useTheme } from '../theme.js';

export const TRACK_TITLES: Record<TrackName, string> = {
  bollinger: 'Track 1 Bollinger ',
  regression: 'Track 2 Regression',
  extraction: 'Track 3 Extraction',
};

const BADGES: Record<TrackStatus, { text: string; color: string }> = {
  waiting: { text: 'WAITING', color: 'gray' },
  running: { text: 'RUNNING', color: 'green' },
  paused: { text: 'PAUSED', color: 'yellow' },
  restarting: { text: 'RESTARTING', color: 'yellow' },
  failed: { text: 'FAILED', color: 'red' },
  complete: { text: 'COMPLETE', color: 'cyan' },
  stopped: { text: 'STOPPED', color: 'red' },
};

/** `[RUNNING]`, padded so the bars line up. */
export function Badge({ status }: { status: TrackStatus }) {
  const t = useTheme();
  const b = BADGES[status];
  return (
    <Text bold color={tint(t, b.color)}>
      {`[${b.text}]`.padEnd(12)}
    </Text>
  );
}

export interface TrackPanelProps {
  readonly track: TrackState;
  readonly now: number;
  readonly selected: boolean;
  readonly width: number;
  /** Activity lines under the bar (running workers, then the last finished unit). */
  readonly activityLines: number;
  /** Seconds left (estimate.ts; undefined: not known yet). */
  readonly etaSeconds: number | undefined;
  /** Name each running unit's host (the run has more than one). */
  readonly showHost?: boolean;
}

/** The lines of activity of a track: each running worker, then the latest finished unit. */
export function activity(track: TrackState, now: number, lines: number, host = false): string[] {
  const running = track.running.map((r) => describeRunning(r, unitActiveMs(track, r, now), host));
  const out = running.slice(0, lines);
  if (out.length < lines && track.lastFinished)
    out.push(`last: ${describeNote(track.lastFinished)}`);
  return out;
}

/** One track: badge, progress bar, counts, rate and ETA, and what its workers are doing. */
export function TrackPanel({
  track: tr,
  now,
  selected,
  width,
  activityLines,
  etaSeconds,
  showHost,
}: TrackPanelProps) {
  const t = useTheme();
  const status = trackStatus(tr);
  const finished = tr.done + tr.empty + tr.failed;
  const fraction = tr.total === 0 ? 1 : finished / tr.total;
  const unitWord = tr.track === 'extraction' ? 'pairs' : 'units';
  const counts = `${finished}/${tr.total} ${unitWord}`;
  const eta =
    status === 'complete'
      ? 'done'
      : status === 'paused'
        ? 'ETA paused'
        : `ETA ${formatDuration(etaSeconds)}`;
  const tail = ` ${percent(fraction).padStart(6)} ${counts}`;
  const head = `${selected ? t.g.pointer : ' '} ${TRACK_TITLES[tr.track]} `;
  // The same width for every track, so the bars line up: room for "100.0% 9999/9999 units".
  const barWidth = Math.max(8, Math.min(40, width - head.length - 12 - 24));
  const rateText = rate(
    trackThroughput(tr, now)?.unitsPerSec,
    trackThroughput(tr, now)?.rowsPerSec,
  );
  const failColour = tr.failed > 0 ? tint(t, 'red') : undefined;
  const lines = activity(tr, now, activityLines, showHost);
  return (
    <Box flexDirection="column" width={width}>
      <Text wrap="truncate">
        <Text bold={selected} inverse={selected && t.color}>
          {head}
        </Text>
        <Badge status={status} />
        <Text color={tint(t, status === 'failed' ? 'red' : 'green')}>
          {bar(fraction, barWidth, t.g)}
        </Text>
        {tail}
      </Text>
      <Text wrap="truncate">
        {'    '}
        <Text color={failColour}>{`failed ${tr.failed}`}</Text>
        {txt(t, `  no data ${tr.empty}  left ${remainingUnits(tr)}  ${rateText}  ${eta}`)}
        {tr.retries > 0 ? `  retries ${tr.retries}` : ''}
        {tr.crashes > 0 ? `  crashes ${tr.crashes}` : ''}
      </Text>
      {lines.map((l, i) => (
        // biome-ignore lint/suspicious/noArrayIndexKey: screen rows are positional
        <Text key={i} wrap="truncate" dimColor={l.startsWith('last:')}>
          {`    ${truncate(txt(t, l), width - 4, t.g)}`}
        </Text>
      ))}
    </Box>
  );
}

import chalk from 'chalk';
import { Box, Text } from 'ink';
import { formatDuration } from '../../orchestrator/state/eta.js';
import {
  remainingUnits,
  slowestRunning,
  type TrackState,
  type TrackStatus,
  trackElapsedMs,
  trackPace,
  trackStatus,
  trackThroughput,
  unitActiveMs,
} from '../../orchestrator/state/runState.js';
import { describeNote, describeRunning, unitLabel } from '../../orchestrator/text/describe.js';
import type { TrackName } from '../../tracks/protocol/events.js';
import { type Field, type FlowLine, field, flow, type Piece } from '../flow.js';
import { bar, clock, percent, perSecond, rate, scaledSparkline, truncate } from '../format.js';
import { paint } from '../styled.js';
import { type Theme, txt, useTheme } from '../theme.js';
import { FlowLines } from './FlowLines.js';

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

/** `[RUNNING]`, padded so the bars line up, in its colour. */
function badgePiece(status: TrackStatus): Piece {
  const b = BADGES[status];
  return { text: `[${b.text}]`.padEnd(12), color: b.color, bold: true };
}

/** A track's badge on its own. */
export function Badge({ status }: { status: TrackStatus }) {
  return <Text>{paint(useTheme(), badgePiece(status))}</Text>;
}

/** What a track counts: Track 3 runs one unit per pair. */
function unitWordOf(tr: TrackState): 'pairs' | 'units' {
  return tr.track === 'extraction' ? 'pairs' : 'units';
}

/** Cells before a track's bar: pointer, title and a space (21), badge (12). */
const HEAD_CELLS = 21 + 12;
/** Cells after it, for "100.0% 9999/9999 units": the same for every track, so the bars line up. */
const TAIL_CELLS = 24;

/** The width of the tracks' bars: whatever the terminal leaves (at least 8 cells). */
export function trackBarWidth(width: number): number {
  return Math.max(8, width - HEAD_CELLS - TAIL_CELLS);
}

/**
 * The lines under a track's bar, as whole fields wrapped to the width: its counts, rate
 * and ETA, then its history once a worker has started it: elapsed time, the units/s
 * sparkline over its whole run (and its peak), and the running unit at work the longest.
 */
export function trackDetailLines(
  tr: TrackState,
  now: number,
  etaSeconds: number | undefined,
  width: number,
  t: Theme,
): FlowLine[] {
  const status = trackStatus(tr);
  const eta =
    status === 'complete'
      ? 'done'
      : status === 'paused'
        ? 'ETA paused'
        : `ETA ${formatDuration(etaSeconds)}`;
  const speed = trackThroughput(tr, now);
  const pace = trackPace(tr, now);
  const peak = Math.max(0, ...pace);
  const slowest = slowestRunning(tr, now);
  // Track 3's unit is a pair: its rates say so.
  const per = `${unitWordOf(tr)}/s`;
  const fields: Field[] = [
    field(`failed ${tr.failed}`, tr.failed > 0 ? 'red' : undefined),
    field(`no data ${tr.noData}`),
    // Units this run recomputes because their inputs or code changed (docs/freshness.md).
    ...(tr.stale > 0 ? [field(`stale ${tr.stale}`, 'yellow')] : []),
    field(`left ${remainingUnits(tr)}`),
    field(
      txt(
        t,
        rate(speed?.unitsPerSec, speed?.rowsPerSec, unitWordOf(tr) === 'pairs' ? 'pairs/s' : 'u/s'),
      ),
    ),
    field(txt(t, eta)),
    // Its worker processes now / the limit `+` and `-` set (it holds for the run).
    ...(tr.plannedWorkers > 0 || tr.workers.length > 0
      ? [field(`workers ${tr.workers.length}/${tr.plannedWorkers}`)]
      : []),
    ...(tr.retries > 0 ? [field(`retries ${tr.retries}`)] : []),
    ...(tr.crashes > 0 ? [field(`crashes ${tr.crashes}`, 'yellow')] : []),
    // A track no worker has started yet has no history to tell (nor a row to spare at 80×24).
    ...(tr.startedAt === undefined
      ? []
      : [
          field(`elapsed ${clock(trackElapsedMs(tr, now) / 1000)}`),
          pace.length > 0
            ? [
                { text: `${per} ` },
                { text: scaledSparkline(pace, Math.floor(width / 5), t.g), color: 'green' },
                { text: ` max ${perSecond(peak)}` },
              ]
            : field(txt(t, `${per} —`)),
        ]),
    ...(slowest
      ? [field(`slowest: ${unitLabel(slowest.unit.unit)} ${Math.round(slowest.ms / 1000)} s`)]
      : []),
  ];
  return flow(fields, width, '    ', '    ');
}

/**
 * The lines of activity of a track: each running worker, then the latest finished unit;
 * when the running ones do not all fit, the last line says how many more run.
 */
export function activity(track: TrackState, now: number, lines: number, host = false): string[] {
  const running = track.running.map((r) => describeRunning(r, unitActiveMs(track, r, now), host));
  if (running.length > lines && lines >= 2)
    return [...running.slice(0, lines - 1), `… ${running.length - lines + 1} more running`];
  const out = running.slice(0, lines);
  if (out.length < lines && track.lastFinished)
    out.push(`last: ${describeNote(track.lastFinished)}`);
  return out;
}

/** Activity lines a track would show with room enough: its running units and its last one. */
export function wantedActivityLines(track: TrackState): number {
  return track.running.length + (track.lastFinished ? 1 : 0);
}

export interface TrackPanelProps {
  readonly track: TrackState;
  readonly now: number;
  readonly selected: boolean;
  readonly width: number;
  /** The lines under the bar (trackDetailLines). */
  readonly details: readonly FlowLine[];
  /** Activity lines under them (running workers, then the last finished unit). */
  readonly activityLines: number;
  /** Name each running unit's host (the run has more than one). */
  readonly showHost?: boolean;
}

/** One track: badge, progress bar and counts, its details, and what its workers are doing. */
export function TrackPanel({
  track: tr,
  now,
  selected,
  width,
  details,
  activityLines,
  showHost,
}: TrackPanelProps) {
  const t = useTheme();
  const status = trackStatus(tr);
  const finished = tr.done + tr.noData + tr.failed;
  const fraction = tr.total === 0 ? 1 : finished / tr.total;
  const unitWord = unitWordOf(tr);
  const tail = ` ${percent(fraction).padStart(6)} ${finished}/${tr.total} ${unitWord}`;
  const head = `${selected ? t.g.pointer : ' '} ${TRACK_TITLES[tr.track]} `;
  return (
    <Box flexDirection="column" width={width}>
      <Text wrap="truncate">
        {selected ? (t.color ? chalk.inverse(chalk.bold(head)) : chalk.bold(head)) : head}
        {paint(t, badgePiece(status))}
        {paint(t, {
          text: bar(fraction, trackBarWidth(width), t.g),
          color: status === 'failed' ? 'red' : 'green',
        })}
        {tail}
      </Text>
      <FlowLines lines={details} />
      {activity(tr, now, activityLines, showHost).map((l, i) => (
        // biome-ignore lint/suspicious/noArrayIndexKey: screen rows are positional
        <Text key={i} wrap="truncate" dimColor={l.startsWith('last:')}>
          {`    ${truncate(txt(t, l), width - 4, t.g)}`}
        </Text>
      ))}
    </Box>
  );
}

import { Box, Text } from 'ink';
import type { RunReport as Report } from '../../orchestrator/report/reportTypes.js';
import {
  alignColumns,
  formatMs,
  hostText,
  TRACK_HEADINGS,
  trackFigures,
  whyRows,
} from '../../orchestrator/report/reportText.js';
import { formatDuration } from '../../orchestrator/state/eta.js';
import { unitLabel } from '../../orchestrator/text/describe.js';
import { tint, txt, useTheme } from '../theme.js';

/** How a line of the panel is drawn. */
type Kind = 'title' | 'heading' | 'figures' | 'failure' | 'plain';

interface Line {
  readonly kind: Kind;
  readonly text: string;
}

/**
 * The figures table at `width`: the columns that fit, the least needed given up first
 * (units in scope are on the track panels above; then bytes, then rows).
 */
function figureLines(r: Report, width: number): string[] {
  const all = [TRACK_HEADINGS, ...r.tracks.map(trackFigures)];
  const names = [...TRACK_HEADINGS];
  for (const drop of [undefined, 'in scope', 'bytes', 'rows']) {
    if (drop) names.splice(names.indexOf(drop), 1);
    const keep = names.map((n) => TRACK_HEADINGS.indexOf(n));
    const lines = alignColumns(all.map((row) => keep.map((i) => row[i]!)));
    if (Math.max(...lines.map((l) => l.length)) + 2 <= width) return lines.map((l) => `  ${l}`);
  }
  return alignColumns(all).map((l) => `  ${l}`);
}

/**
 * The report's lines, most important first, as many as `lines` holds: its headline, the
 * per-track figures, the hosts, the failures, each track's slowest units, why each track's
 * units ran (a line only where it fits whole); what does not
 * fit is left to `bqx-monitor report`, which the headline names.
 */
export function reportLines(r: Report, width: number, lines: number): Line[] {
  const out: Line[] = [
    {
      kind: 'title',
      text: `Report (bqx-monitor report ${r.runId}): ${r.status}, wall ${formatDuration(r.wallSeconds)}`,
    },
  ];
  const [heading, ...rows] = figureLines(r, width);
  out.push({ kind: 'heading', text: heading! });
  for (const row of rows) out.push({ kind: 'figures', text: row });
  out.push({
    kind: 'plain',
    text: `  hosts: ${r.hosts.length > 0 ? r.hosts.map(hostText).join('; ') : 'none'}`,
  });
  const failed = r.tracks.flatMap((t) =>
    t.failures.map((f) => ({ what: `${t.track} ${unitLabel(f.unit)}`, error: f.error })),
  );
  const slowest = r.tracks
    .filter((t) => t.slowest.length > 0)
    .map(
      (t) =>
        `  slowest ${t.track}: ${t.slowest.map((u) => `${unitLabel(u.unit)} ${formatMs(u.ms)}`).join(' · ')}`,
    );
  // Failures before the slowest units, but one slowest line keeps its room; those that
  // do not fit are named on one line, their errors left to `bqx-monitor report`.
  const room = Math.max(0, lines - out.length);
  const failRoom = Math.max(1, room - (slowest.length > 0 ? 1 : 0));
  const whole = failed.length <= failRoom ? failed : failed.slice(0, failRoom - 1);
  for (const f of whole)
    out.push({ kind: 'failure', text: `  failed ${f.what}: ${f.error ?? 'no error recorded'}` });
  const rest = failed.slice(whole.length);
  if (rest.length > 0)
    out.push({
      kind: 'failure',
      text: `  ${rest.length} ${whole.length > 0 ? 'more ' : ''}failed: ${rest.map((f) => f.what).join(' · ')}`,
    });
  for (const s of slowest) out.push({ kind: 'plain', text: s });
  if (r.note) out.push({ kind: 'plain', text: `  note: ${r.note}` });
  // Why the units ran, last and only where whole: `bqx-monitor report` has it all.
  for (const [track, why] of whyRows(r)) {
    const text = `  why ${track}: ${why}`;
    if (text.length <= width) out.push({ kind: 'plain', text });
  }
  return out.slice(0, Math.max(0, lines));
}

/** The post-run report in the dashboard's events area, once the run has ended. */
export function RunReport({
  report,
  width,
  lines,
}: {
  report: Report;
  width: number;
  lines: number;
}) {
  const t = useTheme();
  if (lines <= 0) return null;
  const ok = report.status === 'complete';
  return (
    <Box flexDirection="column" width={width}>
      {reportLines(report, width, lines).map((l) => (
        <Text
          key={`${l.kind}:${l.text}`}
          wrap="truncate"
          bold={l.kind === 'title'}
          dimColor={l.kind === 'heading'}
          color={
            l.kind === 'title'
              ? tint(t, ok ? 'green' : 'red')
              : l.kind === 'failure'
                ? tint(t, 'red')
                : undefined
          }
        >
          {txt(t, l.text)}
        </Text>
      ))}
    </Box>
  );
}

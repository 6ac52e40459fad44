import { formatDuration } from '../state/eta.js';
import { formatBytes, formatCount, unitLabel } from '../text/describe.js';
import type { HostCounts, RunReport, TrackReport } from './reportTypes.js';
import { formatTimestamp } from '../text/timestamp.js';
import { reasonsText } from './reportReasons.js';

/** A unit time: `850 ms`, `12.4 s`, `4m 09s`; `—` when there is none. */
export function formatMs(ms: number | null): string {
  if (ms === null) return '—';
  if (ms < 1000) return `${Math.round(ms)} ms`;
  if (ms < 60_000) return `${(ms / 1000).toFixed(1)} s`;
  return formatDuration(ms / 1000);
}

const time = formatTimestamp;

/** `complete (exit 0)`, `running`. */
function statusOf(r: RunReport): string {
  const exit = r.exitCode === null ? '' : ` (exit ${r.exitCode})`;
  return `${r.status}${exit}${r.message ? `: ${r.message}` : ''}`;
}

/** The report's first line: which run, how it ended, when, how long. */
export function reportHeadline(r: RunReport): string {
  const end = r.finishedAt ? `, finished ${time(r.finishedAt)}` : '';
  return `run ${r.runId}: ${statusOf(r)}; started ${time(r.startedAt)}${end}, wall ${formatDuration(r.wallSeconds)}, supervisor on ${r.host}`;
}

/** A track's row of figures, as the text table and the dashboard's panel show it. */
export function trackFigures(t: TrackReport): string[] {
  return [
    t.track,
    formatCount(t.inScope),
    formatCount(t.done),
    formatCount(t.noData),
    formatCount(t.failed),
    formatCount(t.rows),
    formatBytes(t.bytes),
    formatMs(t.unitMs.p50),
    formatMs(t.unitMs.p90),
    formatMs(t.unitMs.max),
  ];
}

export const TRACK_HEADINGS = [
  'track',
  'in scope',
  'done',
  'no data',
  'failed',
  'rows',
  'bytes',
  'p50',
  'p90',
  'max',
];

/** Aligned columns: the first `left` to the left, the rest (figures) to the right. */
export function alignColumns(rows: readonly (readonly string[])[], left = 1): string[] {
  const widths = rows[0]!.map((_, i) => Math.max(...rows.map((r) => r[i]!.length)));
  return rows.map((r) =>
    r
      .map((v, i) => (i < left ? v.padEnd(widths[i]!) : v.padStart(widths[i]!)))
      .join('  ')
      .trimEnd(),
  );
}

/** `vm 12 done, 1 no data, 0 failed`. */
export function hostText(h: HostCounts): string {
  return `${h.host} ${formatCount(h.done)} done, ${formatCount(h.noData)} no data, ${formatCount(h.failed)} failed`;
}

/** Per track that finished units, why they ran: `[track, '2 never run, 1 values changed']`. */
export function whyRows(r: RunReport): Array<[string, string]> {
  return r.tracks
    .map((t): [string, string] => [t.track, reasonsText(t.reasons)])
    .filter(([, w]) => w !== '');
}

/** The report as text (`bqx-monitor report`). */
export function formatReport(r: RunReport): string {
  const lines = [reportHeadline(r)];
  if (r.note) lines.push(`note: ${r.note}`);
  lines.push('', ...alignColumns([TRACK_HEADINGS, ...r.tracks.map(trackFigures)]));
  lines.push('', 'unit time: over the units done, nearest-rank percentiles');
  lines.push('', 'why the units ran');
  const why = whyRows(r);
  lines.push(...(why.length > 0 ? why.map(([t, w]) => `  ${t.padEnd(11)} ${w}`) : ['  none ran']));
  lines.push('', 'slowest units');
  const slow = r.tracks.flatMap((t) =>
    t.slowest.map((u) => [
      `  ${t.track}`,
      unitLabel(u.unit),
      formatMs(u.ms),
      `${formatCount(u.rows)} rows`,
      formatBytes(u.bytes),
      `on ${u.host}`,
    ]),
  );
  lines.push(...(slow.length > 0 ? alignColumns(slow, 2) : ['  none done']));
  lines.push('', 'failures');
  const failures = r.tracks.flatMap((t) =>
    t.failures.map(
      (f) =>
        `  ${t.track} ${unitLabel(f.unit)} (${f.attempts} attempt(s), on ${f.host}): ${f.error ?? 'no error recorded'}`,
    ),
  );
  lines.push(...(failures.length > 0 ? failures : ['  none']));
  const retried = r.tracks.filter((t) => t.retriedAttempts > 0);
  if (retried.length > 0)
    lines.push(
      `  retried within the run: ${retried.map((t) => `${t.track} ${t.retriedAttempts}`).join(', ')}`,
    );
  lines.push('', 'hosts');
  for (const t of r.tracks)
    if (t.hosts.length > 0)
      lines.push(`  ${t.track.padEnd(11)} ${t.hosts.map(hostText).join('; ')}`);
  lines.push(
    `  ${'all'.padEnd(11)} ${r.hosts.length > 0 ? r.hosts.map(hostText).join('; ') : 'none'}`,
  );
  return lines.join('\n');
}

/** A Markdown table cell: no pipe or line break may end it early. */
const cell = (v: string) => v.replace(/\|/g, '\\|').replace(/\r?\n/g, ' ');

/** A Markdown table; the columns `figures` names are aligned right. */
function table(
  head: readonly string[],
  rows: readonly (readonly string[])[],
  figures: readonly number[],
): string[] {
  const align = head.map((_, i) => (figures.includes(i) ? '---:' : '---'));
  return [head, align, ...rows].map((r) => `| ${r.map(cell).join(' | ')} |`);
}

/** The report as Markdown (`bqx-monitor report --markdown`), for a ticket or a wiki. */
export function formatReportMarkdown(r: RunReport): string {
  const lines = [`# Run ${r.runId}: ${r.status}`, ''];
  lines.push(
    `- status: ${statusOf(r)}`,
    `- started ${time(r.startedAt)}, finished ${time(r.finishedAt)}, wall ${formatDuration(r.wallSeconds)}`,
    `- supervisor on ${r.host}; outcomes from \`${r.source === 'history' ? 'unit_history' : 'unit_results'}\``,
  );
  if (r.note) lines.push('', `> ${r.note}`);
  lines.push('', ...table(TRACK_HEADINGS, r.tracks.map(trackFigures), [1, 2, 3, 4, 5, 6, 7, 8, 9]));
  lines.push('', 'Unit time over the units done; percentiles by nearest rank.');
  lines.push('', '## Why the units ran', '');
  const why = whyRows(r);
  lines.push(...(why.length > 0 ? why.map(([t, w]) => `- ${t}: ${w}`) : ['None ran.']));
  lines.push('', '## Slowest units', '');
  const slow = r.tracks.flatMap((t) =>
    t.slowest.map((u) => [
      t.track,
      unitLabel(u.unit),
      formatMs(u.ms),
      formatCount(u.rows),
      formatBytes(u.bytes),
      u.host,
    ]),
  );
  lines.push(
    ...(slow.length > 0
      ? table(['track', 'unit', 'time', 'rows', 'bytes', 'host'], slow, [2, 3, 4])
      : ['None done.']),
  );
  lines.push('', '## Failures', '');
  const failures = r.tracks.flatMap((t) =>
    t.failures.map((f) => [t.track, unitLabel(f.unit), String(f.attempts), f.host, f.error ?? '']),
  );
  lines.push(
    ...(failures.length > 0
      ? table(['track', 'unit', 'attempts', 'host', 'error'], failures, [2])
      : ['None.']),
  );
  lines.push('', '## Hosts', '');
  const hosts = [
    ...r.tracks.flatMap((t) => t.hosts.map((h) => [t.track, ...hostCells(h)])),
    ...r.hosts.map((h) => ['all', ...hostCells(h)]),
  ];
  lines.push(
    ...(hosts.length > 0
      ? table(['track', 'host', 'done', 'no data', 'failed', 'rows'], hosts, [2, 3, 4, 5])
      : ['None.']),
  );
  return lines.join('\n');
}

const hostCells = (h: HostCounts) => [
  h.host,
  formatCount(h.done),
  formatCount(h.noData),
  formatCount(h.failed),
  formatCount(h.rows),
];

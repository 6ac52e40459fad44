import { Text } from 'ink';
import { toAscii } from '../../orchestrator/text/charset.js';

/** The keys, on one line. */
export function Footer({
  compact,
  ascii,
  finished = false,
}: {
  compact: boolean;
  ascii: boolean;
  finished?: boolean;
}) {
  const q = finished ? 'q quit' : 'q leave';
  const full = compact
    ? `↑↓/jk track  p pause  P all  r restart  l log  ? help  ${q}`
    : `↑↓ or j/k select track   p pause/resume   P pause/resume all   r restart   l/Enter log   ? help   ${finished ? 'q quit' : 'q detach or stop'}`;
  const text = ascii ? toAscii(full) : full;
  return (
    <Text dimColor wrap="truncate">
      {text}
    </Text>
  );
}

export const HELP_LINES: readonly string[] = [
  'Keys (they act on the run itself: every attached view sees the change)',
  '',
  '  ↑ ↓  j k     select a track',
  '  p            pause / resume the selected track (SIGSTOP / SIGCONT: instant, nothing lost)',
  '  P            pause / resume all tracks',
  '  r            restart the selected track (asks first; finished units are not redone)',
  "  l  Enter     open the selected track's log",
  '  in a log:    PgUp PgDn scroll, Home End, / filter, Esc back',
  '  ?            this help (any key closes it)',
  '  q  Ctrl-C    leave: detach (the run goes on in the background) or stop the run',
  '',
  'From any shell, on this host or another',
  '',
  '  bqx-monitor attach        this dashboard again (any number of sessions at once)',
  '  bqx-monitor status        the run in plain text (--watch: live lines, --json)',
  '  bqx-monitor stop          stop the run: running units finish first (--now: at once)',
  '  bqx-monitor verify        check every output against its source',
];

/** The `?` overlay. */
export function HelpOverlay({ ascii }: { ascii: boolean }) {
  return (
    <>
      {HELP_LINES.map((l, i) => (
        // biome-ignore lint/suspicious/noArrayIndexKey: screen rows are positional
        <Text key={i} bold={i === 0} wrap="truncate">
          {ascii ? toAscii(l) : l}
        </Text>
      ))}
    </>
  );
}

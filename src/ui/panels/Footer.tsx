import { Text } from 'ink';
import { toAscii } from '../charset.js';

/** The keys, on one line. */
export function Footer({ compact, ascii }: { compact: boolean; ascii: boolean }) {
  const full = compact
    ? '↑↓/jk track  p pause  P all  r restart  l log  ? help  q quit'
    : '↑↓ or j/k select track   p pause/resume   P pause/resume all   r restart   l/Enter log   ? help   q quit';
  const text = ascii ? toAscii(full) : full;
  return (
    <Text dimColor wrap="truncate">
      {text}
    </Text>
  );
}

export const HELP_LINES: readonly string[] = [
  'Keys',
  '',
  '  ↑ ↓  j k     select a track',
  '  p            pause / resume the selected track (SIGSTOP / SIGCONT: instant, nothing lost)',
  '  P            pause / resume all tracks',
  '  r            restart the selected track (asks first; finished units are not redone)',
  "  l  Enter     open the selected track's log",
  '  in a log:    PgUp PgDn scroll, Home End, / filter, Esc back',
  '  ?            this help (any key closes it)',
  '  q  Ctrl-C    quit (asks while work is running; workers finish their unit, none is left behind)',
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

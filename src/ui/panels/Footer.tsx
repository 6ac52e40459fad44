import { Text } from 'ink';
import { txt, useTheme } from '../theme.js';

/** The key list of the footer, longest first: the longest that fits the width is shown. */
function footerVariants(finished: boolean): string[] {
  const q = finished ? 'q quit' : 'q leave';
  return [
    `↑↓ j/k select track   p pause/resume   P pause/resume all   +/- workers   r restart   R retry failed   l/Enter log   ? help   ${finished ? 'q quit' : 'q detach/stop'}`,
    `↑↓/jk track  p pause  P all  +/- workers  r restart  R retry  l log  ? help  ${q}`,
    `↑↓ track  p pause  P all  +- workers  r restart  R retry  l log  ? help  ${q}`,
  ];
}

/** The keys, on one line. */
export function Footer({ width, finished = false }: { width: number; finished?: boolean }) {
  const theme = useTheme();
  const variants = footerVariants(finished).map((v) => txt(theme, v));
  const text = variants.find((v) => v.length < width) ?? variants.at(-1)!;
  return (
    <Text dimColor wrap="truncate">
      {text}
    </Text>
  );
}

/** The `?` overlay: the keys, then the commands that do the same from any shell. */
export const HELP_LINES: readonly string[] = [
  'Keys (they act on the run itself: every attached view sees the change)',
  '  ↑ ↓  j k     select a track',
  '  p            pause / resume the selected track (SIGSTOP/SIGCONT: nothing lost)',
  '  P            pause / resume all tracks',
  '  +  =         one more worker on the selected track (up to its limit)',
  '  -            one worker fewer: it leaves after its unit',
  '  r            restart the selected track (asks; finished units stay done)',
  "  R            retry the selected track's failed units",
  "  l  Enter     open the selected track's log",
  '  in a log:    PgUp PgDn scroll, Home End, / filter, Tab next worker, Esc back',
  '  ?  Esc  q    close this help; any other key closes it and acts as listed',
  '  q  Ctrl-C    leave: detach (the run goes on in the background) or stop it',
  '',
  "From any shell, on this host or another (the seed monitor's quick actions)",
  '  bqx-monitor attach        this dashboard again (any number of views at once)',
  '  bqx-monitor status        the run in plain text (--watch: live lines, --json)',
  '  bqx-monitor stop          stop the run: units finish first (--now: at once)',
  '  bqx-monitor verify        check every output against its source',
  "  bqx-monitor report [RUN]  a run's report: per track units, rows, unit times",
];

/** The `?` overlay. */
export function HelpOverlay() {
  const theme = useTheme();
  return (
    <>
      {HELP_LINES.map((l, i) => (
        // biome-ignore lint/suspicious/noArrayIndexKey: screen rows are positional
        <Text key={i} bold={i === 0 || l.startsWith('From')} wrap="truncate">
          {txt(theme, l) || ' '}
        </Text>
      ))}
    </>
  );
}

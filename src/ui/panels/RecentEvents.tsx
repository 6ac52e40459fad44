import { Box, Text } from 'ink';
import type { RecentEvent } from '../../orchestrator/state/runState.js';
import { describeNote } from '../../orchestrator/text/describe.js';
import { tint, txt, useTheme } from '../theme.js';

/** The newest `lines` events, oldest at the top. */
export function RecentEvents({ events, lines }: { events: readonly RecentEvent[]; lines: number }) {
  const t = useTheme();
  if (lines <= 0) return null;
  const shown = events.slice(-lines);
  return (
    <Box flexDirection="column">
      {shown.map((e, i) => (
        // biome-ignore lint/suspicious/noArrayIndexKey: screen rows are positional
        <Text key={`${e.at}-${i}`} wrap="truncate">
          <Text dimColor>{new Date(e.at).toISOString().slice(11, 19)}</Text>
          <Text
            color={tint(t, e.level === 'error' ? 'red' : e.level === 'warn' ? 'yellow' : 'gray')}
          >
            {e.level === 'error' ? ` ${t.g.fail} ` : e.level === 'warn' ? ' ! ' : `   `}
          </Text>
          {txt(t, `${e.track ?? 'run'}: ${describeNote(e.note)}`)}
        </Text>
      ))}
    </Box>
  );
}

import chalk from 'chalk';
import { Box, Text } from 'ink';
import type { RecentEvent } from '../../orchestrator/state/runState.js';
import { describeNote } from '../../orchestrator/text/describe.js';
import { wrapWords } from '../format.js';
import { paint } from '../styled.js';
import { type Theme, txt, useTheme } from '../theme.js';

/** Cells before an event's text: its time and its mark (`12:00:01 ! `). */
const LEAD = 11;

/** An event's rows at `width`: its text wrapped between words under its time and mark. */
function eventRows(e: RecentEvent, width: number, t: Theme): string[] {
  const text = txt(t, `${e.track ?? 'run'}: ${describeNote(e.note)}`);
  return wrapWords(text, Math.max(10, width - LEAD), ' '.repeat(2));
}

/**
 * The newest events, oldest at the top, in at most `lines` rows: a long event wraps
 * between words rather than being cut; one that no longer fits whole is left out.
 */
export function RecentEvents({
  events,
  lines,
  width,
}: {
  events: readonly RecentEvent[];
  lines: number;
  width: number;
}) {
  const t = useTheme();
  if (lines <= 0) return null;
  const shown: Array<{ e: RecentEvent; rows: string[] }> = [];
  let used = 0;
  for (let i = events.length - 1; i >= 0; i--) {
    const rows = eventRows(events[i]!, width, t);
    if (used + rows.length > lines) break;
    shown.unshift({ e: events[i]!, rows });
    used += rows.length;
  }
  return (
    <Box flexDirection="column">
      {shown.map(({ e, rows }, i) => (
        // biome-ignore lint/suspicious/noArrayIndexKey: screen rows are positional
        <Box key={`${e.at}-${i}`} flexDirection="column">
          {rows.map((row, j) => (
            // biome-ignore lint/suspicious/noArrayIndexKey: screen rows are positional
            <Text key={j} wrap="truncate">
              {(j === 0 ? eventLead(e, t) : ' '.repeat(LEAD)) + row}
            </Text>
          ))}
        </Box>
      ))}
    </Box>
  );
}

/** An event's first cells: its time (dim), and its mark in its level's colour. */
function eventLead(e: RecentEvent, t: Theme): string {
  const colour = e.level === 'error' ? 'red' : e.level === 'warn' ? 'yellow' : 'gray';
  const mark = e.level === 'error' ? ` ${t.g.fail} ` : e.level === 'warn' ? ' ! ' : '   ';
  return (
    chalk.dim(new Date(e.at).toISOString().slice(11, 19)) + paint(t, { text: mark, color: colour })
  );
}

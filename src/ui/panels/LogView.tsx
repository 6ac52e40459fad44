import { Box, Text } from 'ink';
import type { RecentEvent } from '../../orchestrator/state/runState.js';
import { describeNote } from '../../orchestrator/text/describe.js';
import { workerKey } from '../logWorkers.js';
import { tint, txt, useTheme } from '../theme.js';

export interface LogViewProps {
  readonly title: string;
  readonly lines: readonly RecentEvent[];
  /** Lines scrolled up from the end (0: following the end). */
  readonly offset: number;
  readonly height: number;
  readonly filter: string;
  /** The filter being typed after `/`, if any. */
  readonly editing: string | undefined;
  /** Each line names its worker (the log shows several). */
  readonly showPid?: boolean;
}

/** Lines a log view shows after its filter (case-insensitive substring). */
export function filterLog(lines: readonly RecentEvent[], filter: string): RecentEvent[] {
  if (!filter) return [...lines];
  const f = filter.toLowerCase();
  return lines.filter((l) => describeNote(l.note).toLowerCase().includes(f));
}

/** A track's log, scrollable and filterable. */
export function LogView(p: LogViewProps) {
  const t = useTheme();
  const shown = filterLog(p.lines, p.filter);
  const body = Math.max(1, p.height - 2);
  const end = Math.max(0, shown.length - p.offset);
  const page = shown.slice(Math.max(0, end - body), end);
  // The worker column as wide as its widest name on the page (`12345`, `etl-2:12345`).
  const keyWidth = Math.max(5, ...page.map((l) => (workerKey(l) ?? '').length));
  const status = p.editing !== undefined ? `/${p.editing}` : p.filter ? `filter: ${p.filter}` : '';
  return (
    <Box flexDirection="column">
      <Text bold wrap="truncate">
        {txt(
          t,
          `${p.title} — ${shown.length} line(s)${p.offset > 0 ? `, ${p.offset} from the end` : ''}`,
        )}
      </Text>
      {page.map((l, i) => (
        // biome-ignore lint/suspicious/noArrayIndexKey: screen rows are positional
        <Text key={i} wrap="truncate">
          <Text dimColor>{new Date(l.at).toISOString().slice(11, 19)} </Text>
          {p.showPid ? <Text dimColor>{(workerKey(l) ?? '').padStart(keyWidth)} </Text> : null}
          <Text
            color={tint(t, l.level === 'error' ? 'red' : l.level === 'warn' ? 'yellow' : 'white')}
          >
            {txt(t, describeNote(l.note))}
          </Text>
        </Text>
      ))}
      {Array.from({ length: Math.max(0, body - page.length) }, (_, i) => (
        // biome-ignore lint/suspicious/noArrayIndexKey: screen rows are positional
        <Text key={`pad-${i}`}> </Text>
      ))}
      <Text dimColor wrap="truncate">
        {status || 'PgUp/PgDn scroll  Home/End  / filter  Tab next worker  Esc back'}
      </Text>
    </Box>
  );
}

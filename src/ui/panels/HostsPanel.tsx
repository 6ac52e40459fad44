import { Box, Text } from 'ink';
import type { HostSummary } from '../../orchestrator/state/runState.js';
import { describeHost } from '../../orchestrator/text/describe.js';
import { truncate } from '../format.js';
import { txt, useTheme } from '../theme.js';

const LABEL = '  hosts: ';
const INDENT = ' '.repeat(LABEL.length);

/**
 * The hosts line's text at `width`: every host on one line when they fit (or when only
 * one line is allowed: as many as fit, then `+N more`), else one line per host, at most
 * `max` lines. Each line starts after the `hosts:` label.
 */
export function hostLines(hosts: readonly HostSummary[], width: number, max: number): string[] {
  const parts = hosts.map(describeHost);
  if (parts.length === 0) return ['—'];
  const all = parts.join(' · ');
  if (LABEL.length + all.length <= width || (max <= 1 && parts.length === 1)) return [all];
  if (max <= 1) {
    let line = parts[0]!;
    let shown = 1;
    for (const p of parts.slice(1)) {
      const more = ` · +${parts.length - shown - 1} more`;
      if (LABEL.length + line.length + 3 + p.length + more.length > width) break;
      line += ` · ${p}`;
      shown++;
    }
    return [shown < parts.length ? `${line} · +${parts.length - shown} more` : line];
  }
  if (parts.length <= max) return parts;
  return [...parts.slice(0, max - 1), `+${parts.length - max + 1} more hosts`];
}

/** The run's hosts: workers per track, units finished there this run, and their rate. */
export function HostsPanel({ lines, width }: { lines: readonly string[]; width: number }) {
  const t = useTheme();
  return (
    <Box flexDirection="column" width={width}>
      {lines.map((l, i) => (
        // biome-ignore lint/suspicious/noArrayIndexKey: screen rows are positional
        <Text key={i} wrap="truncate">
          {i === 0 ? <Text bold>{LABEL}</Text> : INDENT}
          {truncate(txt(t, l), width - LABEL.length, t.g)}
        </Text>
      ))}
    </Box>
  );
}

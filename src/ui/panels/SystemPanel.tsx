import { Box, Text } from 'ink';
import type { DatabaseSample } from '../../orchestrator/sample/databaseSampler.js';
import type { SystemSample } from '../../orchestrator/sample/systemSampler.js';
import { gigabytes, sparkline, levelOf } from '../format.js';
import { tint, txt, useTheme } from '../theme.js';

const LEVEL_COLOUR = { ok: 'green', warn: 'yellow', high: 'red' } as const;

function Pct({ value }: { value: number }) {
  const t = useTheme();
  return <Text color={tint(t, LEVEL_COLOUR[levelOf(value)])}>{`${value.toFixed(0)}%`}</Text>;
}

export interface SystemPanelProps {
  readonly system: SystemSample | undefined;
  readonly database: DatabaseSample | undefined;
  /** Total CPU use history, percent, oldest first. */
  readonly cpuHistory: readonly number[];
  readonly compact: boolean;
  readonly width: number;
}

/** Load, CPU (with a sparkline), memory, disks, workers and database connections. */
export function SystemPanel({
  system: s,
  database: d,
  cpuHistory,
  compact,
  width,
}: SystemPanelProps) {
  const t = useTheme();
  if (!s) return <Text dimColor>{txt(t, 'System  sampling…')}</Text>;
  const memPct = (100 * s.memUsedBytes) / Math.max(1, s.memTotalBytes);
  const workerCpu = s.workers.reduce((a, w) => a + w.cpu, 0);
  const workerRss = s.workers.reduce((a, w) => a + w.rssBytes, 0);
  const spark = sparkline(cpuHistory, compact ? 12 : 30, t.g);
  const perCore = compact ? null : s.perCore.map((c) => `${c.toFixed(0)}%`).join(' ');
  const conns = d ? `${d.connections}/${d.maxConnections}` : '—';
  const connPct = d ? (100 * d.connections) / Math.max(1, d.maxConnections) : 0;
  return (
    <Box flexDirection="column" width={width}>
      <Text wrap="truncate">
        <Text bold>{'System  '}</Text>
        {`load ${s.loadAvg.map((x) => x.toFixed(2)).join(' ')} (${s.cores} cores)  CPU `}
        <Pct value={s.cpu} />
        {` ${spark}`}
        {perCore ? `  cores ${perCore}` : ''}
        {'  mem '}
        {gigabytes(s.memUsedBytes, s.memTotalBytes)} <Pct value={memPct} />
      </Text>
      <Text wrap="truncate">
        {'        '}
        {s.disks.map((k, i) => (
          <Text key={k.label}>
            {`${i > 0 ? '  ' : ''}${k.label} ${gigabytes(k.usedBytes, k.sizeBytes)} `}
            <Pct value={(100 * k.usedBytes) / Math.max(1, k.sizeBytes)} />
          </Text>
        ))}
        {`  workers ${s.workers.length} (${workerCpu.toFixed(0)}% cpu, ${(workerRss / 1e6).toFixed(0)} MB)  db conns `}
        <Text color={tint(t, LEVEL_COLOUR[levelOf(connPct)])}>{conns}</Text>
        {d ? `  db ${(d.sizeBytes / 1e9).toFixed(2)} GB` : ''}
      </Text>
    </Box>
  );
}

import { Text } from 'ink';
import { clock } from '../format.js';
import { tint, txt, useTheme } from '../theme.js';

export interface HeaderProps {
  readonly width: number;
  readonly runId: string | undefined;
  /** The run's elapsed time: it stops at the run's end. */
  readonly elapsedSeconds: number;
  /** The time of day (the view's clock: it goes on after the run's end). */
  readonly now: number;
}

/** Title, run id, elapsed time and clock, on one line (the database has its own, below). */
export function Header(p: HeaderProps) {
  const t = useTheme();
  const time = new Date(p.now).toISOString().slice(11, 19);
  const left = txt(t, `  run ${p.runId ?? '—'}`);
  const right = `  ${clock(p.elapsedSeconds)}  ${time} UTC`;
  const room = Math.max(0, p.width - right.length - 'bqx-monitor'.length);
  return (
    <Text wrap="truncate">
      <Text bold color={tint(t, 'cyan')}>
        bqx-monitor
      </Text>
      {left.padEnd(room)}
      {right}
    </Text>
  );
}

import { Text } from 'ink';
import { clock, truncate } from '../format.js';
import { tint, txt, useTheme } from '../theme.js';

export interface HeaderProps {
  readonly width: number;
  readonly runId: string | undefined;
  /** Password-free description of the database ("embedded postgresql://bqx:****@…"). */
  readonly database: string;
  readonly elapsedSeconds: number;
  readonly now: number;
}

/** Title, run id, database target (masked), elapsed time and clock. */
export function Header(p: HeaderProps) {
  const t = useTheme();
  const time = new Date(p.now).toISOString().slice(11, 19);
  const right = `  ${clock(p.elapsedSeconds)}  ${time} UTC`;
  const left = txt(t, `  run ${p.runId ?? '—'}  ${p.database}`);
  // One line whatever the width: the database description gives way first.
  const room = Math.max(0, p.width - right.length - 'bqx-monitor'.length);
  const shown = left.length <= room ? left.padEnd(room) : truncate(left, room, t.g);
  return (
    <Text>
      <Text bold color={tint(t, 'cyan')}>
        bqx-monitor
      </Text>
      {shown}
      {right}
    </Text>
  );
}

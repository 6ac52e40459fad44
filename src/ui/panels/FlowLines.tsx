import { Text } from 'ink';
import type { FlowLine } from '../flow.js';
import { flowLineText } from '../styled.js';
import { useTheme } from '../theme.js';

/** Lines of fields (flow.ts), each on one terminal line, in their colours. */
export function FlowLines({ lines }: { lines: readonly FlowLine[] }) {
  const t = useTheme();
  return (
    <>
      {lines.map((l, i) => (
        // biome-ignore lint/suspicious/noArrayIndexKey: screen rows are positional
        <Text key={i} wrap="truncate">
          {flowLineText(t, l)}
        </Text>
      ))}
    </>
  );
}

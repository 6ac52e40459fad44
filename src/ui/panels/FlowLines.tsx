import { Text } from 'ink';
import { type FlowLine, GAP } from '../flow.js';
import { tint, useTheme } from '../theme.js';

/** Lines of fields (flow.ts), each on one terminal line, in their colours. */
export function FlowLines({ lines }: { lines: readonly FlowLine[] }) {
  const t = useTheme();
  return (
    <>
      {lines.map((l, i) => (
        // biome-ignore lint/suspicious/noArrayIndexKey: screen rows are positional
        <Text key={i} wrap="truncate">
          {l.lead}
          {l.fields.map((f, j) => (
            // biome-ignore lint/suspicious/noArrayIndexKey: fields are positional
            <Text key={j}>
              {j > 0 ? GAP : ''}
              {f.map((p, k) => (
                // biome-ignore lint/suspicious/noArrayIndexKey: pieces are positional
                <Text key={k} color={p.color ? tint(t, p.color) : undefined} bold={p.bold}>
                  {p.text}
                </Text>
              ))}
            </Text>
          ))}
        </Text>
      ))}
    </>
  );
}

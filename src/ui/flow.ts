/**
 * Lines of labelled fields that wrap between fields, never inside one: a narrow terminal
 * gets more lines of whole fields ("db conns 12/100") where a truncated line would cut
 * the last ones off, a wide one fewer lines. Pure, so that the dashboard knows each
 * panel's height before it lays the screen out.
 */

/** A run of text in one style (a colour name, shown only when the theme has colour). */
export interface Piece {
  readonly text: string;
  readonly color?: string | undefined;
  readonly bold?: boolean | undefined;
}

/** One field: its pieces stay together on a line. */
export type Field = readonly Piece[];

/** A laid-out line: its lead (a label or an indent), then fields separated by `GAP`. */
export interface FlowLine {
  readonly lead: string;
  readonly fields: readonly Field[];
}

export const GAP = '  ';

/** Cells a field takes. */
export function fieldWidth(f: Field): number {
  let n = 0;
  for (const p of f) n += p.text.length;
  return n;
}

/** A field of one piece. */
export function field(text: string, color?: string): Field {
  return [{ text, color }];
}

/**
 * `fields` in lines of at most `width` cells: the first line after `first`, the others
 * after `rest`. A field wider than a line on its own gets a line of its own (the
 * renderer truncates it).
 */
export function flow(
  fields: readonly Field[],
  width: number,
  first: string,
  rest: string,
): FlowLine[] {
  const lines: FlowLine[] = [];
  let lead = first;
  let current: Field[] = [];
  let used = lead.length;
  for (const f of fields) {
    const w = fieldWidth(f);
    const need = current.length === 0 ? w : GAP.length + w;
    if (current.length > 0 && used + need > width) {
      lines.push({ lead, fields: current });
      lead = rest;
      current = [f];
      used = lead.length + w;
    } else {
      current.push(f);
      used += need;
    }
  }
  if (current.length > 0 || lines.length === 0) lines.push({ lead, fields: current });
  return lines;
}

import chalk, { type ForegroundColorName, foregroundColorNames } from 'chalk';
import { type FlowLine, GAP, type Piece } from './flow.js';
import type { Theme } from './theme.js';

const COLOURS = new Set<string>(foregroundColorNames);

/**
 * A piece of text in its style, as Ink's `<Text color bold>` would draw it (chalk, colour
 * first, then bold), so that a line is one Ink text node instead of one per piece: each
 * node costs the dashboard's frames React work and a measure (docs/performance.md, "The
 * view"). The colour only when the theme has colour (NO_COLOR).
 */
export function paint(t: Theme, p: Piece): string {
  let s = p.text;
  if (s === '') return s;
  if (p.color && t.color && COLOURS.has(p.color)) s = chalk[p.color as ForegroundColorName](s);
  return p.bold ? chalk.bold(s) : s;
}

/** Pieces side by side, each in its style. */
function paintAll(t: Theme, pieces: readonly Piece[]): string {
  let s = '';
  for (const p of pieces) s += paint(t, p);
  return s;
}

/** A laid-out line (flow.ts) as one string: its lead, then its fields `GAP` apart. */
export function flowLineText(t: Theme, l: FlowLine): string {
  let s = l.lead;
  l.fields.forEach((f, i) => {
    s += (i > 0 ? GAP : '') + paintAll(t, f);
  });
  return s;
}

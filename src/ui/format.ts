import type { Glyphs } from '../orchestrator/text/charset.js';

/** A progress bar of exactly `width` cells for a fraction in [0, 1]. */
export function bar(fraction: number, width: number, g: Glyphs): string {
  const f = Number.isFinite(fraction) ? Math.min(1, Math.max(0, fraction)) : 0;
  const w = Math.max(0, Math.floor(width));
  const full = Math.floor(f * w + 1e-9);
  return g.barFull.repeat(full) + g.barEmpty.repeat(w - full);
}

/** `54.2%`; a percentage of something not started yet is `0.0%`. */
export function percent(fraction: number): string {
  const f = Number.isFinite(fraction) ? Math.min(1, Math.max(0, fraction)) : 0;
  return `${(f * 100).toFixed(1)}%`;
}

/** A sparkline of values in [0, 100], the last `width` of them. */
export function sparkline(values: readonly number[], width: number, g: Glyphs): string {
  const top = g.spark.length - 1;
  return values
    .slice(-width)
    .map((v) => g.spark[Math.round((Math.min(100, Math.max(0, v)) / 100) * top)]!)
    .join('');
}

/**
 * A sparkline of rates over a whole run, scaled to its highest, in at most `width` cells:
 * a longer series is squeezed, each cell the mean of the values it covers.
 */
export function scaledSparkline(values: readonly number[], width: number, g: Glyphs): string {
  const n = values.length;
  const w = Math.min(n, Math.max(0, Math.floor(width)));
  const cells = Array.from({ length: w }, (_, i) => {
    const part = values.slice(Math.floor((i * n) / w), Math.floor(((i + 1) * n) / w));
    return part.reduce((a, v) => a + v, 0) / part.length;
  });
  const top = Math.max(0, ...cells);
  const last = g.spark.length - 1;
  return cells.map((v) => g.spark[top > 0 ? Math.round((v / top) * last) : 0]!).join('');
}

/** `3.1/23.4 GB`. */
export function gigabytes(used: number, total: number): string {
  return `${(used / 1e9).toFixed(1)}/${(total / 1e9).toFixed(1)} GB`;
}

/** A number of units per second: `0.82`, `12`. */
export function perSecond(n: number): string {
  return n >= 10 ? n.toFixed(0) : n.toFixed(2);
}

/** `0.82 u/s`, `12 u/s` (or `pairs/s`); rows per second as `75.3k rows/s`. */
export function rate(
  unitsPerSec: number | undefined,
  rowsPerSec: number | undefined,
  per = 'u/s',
): string {
  if (unitsPerSec === undefined) return 'rate —';
  const u = perSecond(unitsPerSec);
  const r = rowsPerSec ?? 0;
  const rows =
    r >= 1e6 ? `${(r / 1e6).toFixed(1)}M` : r >= 1e3 ? `${(r / 1e3).toFixed(1)}k` : r.toFixed(0);
  return `${u} ${per} ${rows} rows/s`;
}

/**
 * Shortens `text` to `width` cells with an ellipsis, after a whole word when one ends in
 * the second half of the room (a word is never cut unless it is longer than that).
 */
export function truncate(text: string, width: number, g: Glyphs): string {
  if (width <= 0) return '';
  if (text.length <= width) return text;
  const keep = Math.max(0, width - g.ellipsis.length);
  const space = text.lastIndexOf(' ', keep);
  const cut =
    space > keep / 2 ? text.slice(0, space).replace(/[\s,;:(—-]+$/, '') : text.slice(0, keep);
  return cut + g.ellipsis.slice(0, width - cut.length);
}

/**
 * `text` in lines of at most `width` cells, broken between words (a word longer than a
 * line is split); every line after the first starts with `indent`.
 */
export function wrapWords(text: string, width: number, indent = ''): string[] {
  const lines: string[] = [];
  const room = () => Math.max(1, width - (lines.length === 0 ? 0 : indent.length));
  let line = '';
  for (let word of text.split(' ')) {
    const next = line === '' ? word : `${line} ${word}`;
    if (next.length <= room()) {
      line = next;
      continue;
    }
    if (line !== '') lines.push(line);
    for (let r = room(); word.length > r; r = room()) {
      lines.push(word.slice(0, r));
      word = word.slice(r);
    }
    line = word;
  }
  lines.push(line);
  return lines.map((l, i) => (i === 0 ? l : indent + l));
}

/** `01:02:03` elapsed. */
export function clock(seconds: number): string {
  const s = Math.max(0, Math.floor(seconds));
  const p = (n: number) => String(n).padStart(2, '0');
  return `${p(Math.floor(s / 3600))}:${p(Math.floor((s % 3600) / 60))}:${p(s % 60)}`;
}

/** Warning level of a use percentage: the colour thresholds of the system panel. */
export function levelOf(pct: number): 'ok' | 'warn' | 'high' {
  return pct >= 90 ? 'high' : pct >= 75 ? 'warn' : 'ok';
}

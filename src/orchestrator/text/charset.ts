/** Glyphs for a terminal, with an ASCII set for non-UTF-8 locales (the seed's mojibake). */
export interface Glyphs {
  readonly ok: string;
  readonly fail: string;
  readonly note: string;
  readonly barFull: string;
  readonly barEmpty: string;
  /** Sparkline levels, lowest first. */
  readonly spark: readonly string[];
  readonly pointer: string;
  readonly ellipsis: string;
}

const UNICODE: Glyphs = {
  ok: '✔',
  fail: '✖',
  note: '•',
  barFull: '█',
  barEmpty: '░',
  spark: ['▁', '▂', '▃', '▄', '▅', '▆', '▇', '█'],
  pointer: '▶',
  ellipsis: '…',
};
const ASCII: Glyphs = {
  ok: '+',
  fail: 'x',
  note: '-',
  barFull: '#',
  barEmpty: '.',
  spark: ['_', '.', '-', '=', '*', '#'],
  pointer: '>',
  ellipsis: '...',
};

/** True when the locale (LC_ALL, else LC_CTYPE, else LANG) says UTF-8. */
export function isUtf8Locale(
  env: Readonly<Record<string, string | undefined>> = process.env,
): boolean {
  const locale = env['LC_ALL'] || env['LC_CTYPE'] || env['LANG'] || '';
  return /utf-?8/i.test(locale);
}

/** The glyph set for this environment. */
export function glyphsFor(env: Readonly<Record<string, string | undefined>> = process.env): Glyphs {
  return isUtf8Locale(env) ? UNICODE : ASCII;
}

const ASCII_MAP: Record<string, string> = {
  '—': '-',
  '–': '-',
  '…': '...',
  '▶': '>',
  '✔': '+',
  '✖': 'x',
  '↑': '^',
  '↓': 'v',
  '█': '#',
  '░': '.',
  '×': 'x',
  '’': "'",
  '·': '-',
  '•': '-',
  '±': '+/-',
  '≤': '<=',
  '≥': '>=',
};

/** Text safe for a non-UTF-8 terminal: known symbols spelled in ASCII, anything else `?`. */
export function toAscii(text: string): string {
  return text.replace(/[^\x00-\x7f]/g, (c) => ASCII_MAP[c] ?? '?');
}

/** Text for this terminal: as it is in a UTF-8 locale, in ASCII otherwise. */
export function forTerminal(
  text: string,
  env: Readonly<Record<string, string | undefined>> = process.env,
): string {
  return isUtf8Locale(env) ? text : toAscii(text);
}

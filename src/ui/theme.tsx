import { createContext, useContext } from 'react';
import { type Glyphs, glyphsFor, isUtf8Locale, toAscii } from '../orchestrator/text/charset.js';

/** How the dashboard draws: glyph set (UTF-8 or ASCII) and whether colour is allowed. */
export interface Theme {
  readonly g: Glyphs;
  /** Outside a UTF-8 locale: ASCII glyphs, and text spelled in ASCII. */
  readonly ascii: boolean;
  readonly color: boolean;
}

/** NO_COLOR (any value) turns colour off; a non-UTF-8 locale gets ASCII glyphs. */
export function themeFor(env: Readonly<Record<string, string | undefined>> = process.env): Theme {
  return {
    g: glyphsFor(env),
    ascii: !isUtf8Locale(env),
    color: env['NO_COLOR'] === undefined || env['NO_COLOR'] === '',
  };
}

export const ThemeContext = createContext<Theme>(themeFor({ LANG: 'C.UTF-8' }));

export function useTheme(): Theme {
  return useContext(ThemeContext);
}

/** A colour name when colour is on, else undefined (Ink then prints plain text). */
export function tint(theme: Theme, color: string): string | undefined {
  return theme.color ? color : undefined;
}

/** Text as this terminal can show it: unchanged in UTF-8, spelled in ASCII otherwise. */
export function txt(theme: Theme, text: string): string {
  return theme.ascii ? toAscii(text) : text;
}

import { createContext, useContext } from 'react';
import { type Glyphs, glyphsFor, toAscii } from '../orchestrator/text/charset.js';

/** How the dashboard draws: glyph set (UTF-8 or ASCII) and whether colour is allowed. */
export interface Theme {
  readonly g: Glyphs;
  readonly color: boolean;
}

/** NO_COLOR (any value) turns colour off; a non-UTF-8 locale gets ASCII glyphs. */
export function themeFor(env: Readonly<Record<string, string | undefined>> = process.env): Theme {
  return { g: glyphsFor(env), color: env['NO_COLOR'] === undefined || env['NO_COLOR'] === '' };
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
  return theme.g.barFull === '#' ? toAscii(text) : text;
}

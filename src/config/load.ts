import { readFile } from 'node:fs/promises';
import { toSettings, type Settings } from './settings.js';
import { UserError } from './userError.js';

export * from './settings.js';

/**
 * A JSON syntax error with its line and column: `line 3, column 5: Expected double-quoted
 * property name` (V8 reports only the offset, `in JSON at position 14`).
 */
export function jsonErrorAt(text: string, err: unknown): string {
  const message = err instanceof Error ? err.message : String(err);
  const m = /^(.*?)(?: in JSON)? at position (\d+)/s.exec(message);
  if (!m) return message;
  const before = text.slice(0, Number(m[2]));
  const line = before.split('\n').length;
  const column = before.length - before.lastIndexOf('\n');
  return `line ${line}, column ${column}: ${m[1]}`;
}

/**
 * Reads and validates a JSON config file; no file means defaults. The validator (zod) is
 * loaded only when there is a file: a command without one starts faster.
 */
export async function loadSettings(file: string | undefined): Promise<Settings> {
  if (!file) return toSettings({});
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (err) {
    throw new UserError(`cannot read config file ${file}: ${(err as Error).message}`);
  }
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch (err) {
    throw new UserError(`config file ${file} is not valid JSON: ${jsonErrorAt(text, err)}`);
  }
  const { settingsFrom } = await import('./validate.js');
  return settingsFrom(raw, file);
}

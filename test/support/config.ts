import { writeFile } from 'node:fs/promises';
import path from 'node:path';
import { tempDir } from './tempDirs.js';

/** Writes a config file into a fresh temporary directory (removed after the file's tests). */
export async function writeConfig(text: string): Promise<string> {
  const file = path.join(await tempDir('bqx-cfg-'), 'config.json');
  await writeFile(file, text);
  return file;
}

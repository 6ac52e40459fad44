import { mkdtemp, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';

/** Writes a config file into a fresh temporary directory and returns its path. */
export async function writeConfig(text: string): Promise<string> {
  const dir = await mkdtemp(path.join(os.tmpdir(), 'bqx-cfg-'));
  const file = path.join(dir, 'config.json');
  await writeFile(file, text);
  return file;
}

import { randomBytes } from 'node:crypto';
import { readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { z } from 'zod';

const stateSchema = z.object({
  version: z.literal(1),
  user: z.string(),
  password: z.string().min(16),
  port: z.number().int().min(1024).max(65535),
  clusterDir: z.string(),
});

/** What bqx-monitor remembers about its embedded server (mode 0600: it holds the password). */
export type EmbeddedState = z.infer<typeof stateSchema>;

/** The file holding the state inside the data directory. */
export function stateFile(dataDir: string): string {
  return path.join(dataDir, 'embedded.json');
}

/** Reads the saved state, or undefined when there is none yet. */
export async function readState(dataDir: string): Promise<EmbeddedState | undefined> {
  const text = await readFile(stateFile(dataDir), 'utf8').catch(() => undefined);
  if (text === undefined) return undefined;
  const parsed = stateSchema.safeParse(JSON.parse(text));
  if (!parsed.success) {
    throw new Error(`${stateFile(dataDir)} is damaged; move it away to start a new cluster`);
  }
  return parsed.data;
}

/** Writes the state with owner-only permissions. */
export async function writeState(dataDir: string, state: EmbeddedState): Promise<void> {
  await writeFile(stateFile(dataDir), `${JSON.stringify(state, null, 2)}\n`, { mode: 0o600 });
}

/** A fresh random password: 24 random bytes, URL-safe. */
export function generatePassword(): string {
  return randomBytes(24).toString('base64url');
}

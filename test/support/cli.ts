import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { execa } from 'execa';

/** The built CLI (npm test builds before testing): tests run the real program. */
export const CLI = path.resolve(
  path.dirname(fileURLToPath(import.meta.url)),
  '../../dist/src/cli/main.js',
);

/** What a finished CLI run printed and returned. */
export interface CliResult {
  readonly exitCode: number | undefined;
  readonly stdout: string;
  readonly stderr: string;
}

/**
 * Runs `bqx-monitor args…` as a real child process, with no database configured from the
 * environment unless `env` says so. Never throws.
 */
export async function runCli(
  args: string[],
  options: { env?: Record<string, string>; input?: string; cwd?: string; timeout?: number } = {},
): Promise<CliResult> {
  const r = await execa('node', [CLI, ...args], {
    reject: false,
    timeout: options.timeout ?? 120_000,
    cwd: options.cwd,
    input: options.input,
    env: {
      DATABASE_URL: '',
      PGHOST: '',
      PGDATABASE: '',
      PGUSER: '',
      PGPORT: '',
      NO_COLOR: '1',
      ...(options.env ?? {}),
    },
  });
  return { exitCode: r.exitCode, stdout: String(r.stdout), stderr: String(r.stderr) };
}

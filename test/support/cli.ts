import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { execa, type Options } from 'execa';

/** The built CLI (npm test builds before testing): tests run the real program. */
export const CLI = path.resolve(
  path.dirname(fileURLToPath(import.meta.url)),
  '../../dist/src/cli/main.js',
);

/** Runs `bqx-monitor args…` as a child process and returns its result, never throwing. */
export function runCli(args: string[], options: Options = {}) {
  return execa('node', [CLI, ...args], {
    reject: false,
    timeout: 120_000,
    env: {
      DATABASE_URL: '',
      PGHOST: '',
      PGDATABASE: '',
      PGUSER: '',
      PGPORT: '',
      NO_COLOR: '1',
      ...(options.env ?? {}),
    },
    ...options,
  });
}

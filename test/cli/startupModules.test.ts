import { mkdtemp, readFile, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { execa } from 'execa';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CLI } from '../support/cli.js';

const TRACER = path.resolve(
  path.dirname(fileURLToPath(import.meta.url)),
  '../fixtures/traceModules.mjs',
);

/** Packages a command that only prints text must not load: each costs 70–140 ms. */
const HEAVY = ['pg', 'apache-arrow', 'parquet-wasm', 'graphile-worker', 'ink', 'react', 'zod'];

let dir = '';
beforeAll(async () => {
  dir = await mkdtemp(path.join(os.tmpdir(), 'bqx-modules-'));
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

/** The node_modules packages `bqx-monitor args…` resolved, by name. */
async function packagesLoadedBy(args: string[], exitCode = 0): Promise<Set<string>> {
  const file = path.join(dir, `${args.join('_').replace(/\W/g, '')}.txt`);
  const r = await execa('node', ['--import', TRACER, CLI, ...args], {
    reject: false,
    env: { BQX_TRACE_MODULES: file, DATABASE_URL: '', NO_COLOR: '1' },
  });
  expect(r.exitCode).toBe(exitCode);
  const urls = (await readFile(file, 'utf8')).split('\n').filter(Boolean);
  // The tracer saw the program itself: an empty trace cannot pass as "nothing heavy".
  expect(urls.some((u) => u.endsWith('/dist/src/cli/main.js'))).toBe(true);
  const names = new Set<string>();
  for (const url of urls) {
    const m = /\/node_modules\/((?:@[^/]+\/)?[^/]+)\//.exec(url);
    if (m?.[1]) names.add(m[1]);
  }
  return names;
}

describe('what a command that only prints text loads', () => {
  for (const args of [
    ['--version'],
    ['--help'],
    ['status', '--help'],
    ['report', '--help'],
    ['run', '--help'],
  ]) {
    it(`bqx-monitor ${args.join(' ')} loads no database, Arrow, queue or UI code`, async () => {
      const loaded = await packagesLoadedBy(args);
      // --version alone is answered before the argument parser loads.
      expect(loaded.has('commander')).toBe(args[0] !== '--version');
      expect(HEAVY.filter((p) => loaded.has(p))).toEqual([]);
    });
  }

  it('the tracer does see a heavy package when a command loads one', async () => {
    // Port 1 refuses the connection: doctor reports it (exit 1) after loading pg.
    const loaded = await packagesLoadedBy(['doctor', '--db', 'postgresql://u@127.0.0.1:1/x'], 1);
    expect(loaded.has('pg')).toBe(true);
    expect(loaded.has('commander')).toBe(true);
  });
});

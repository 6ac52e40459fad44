import { existsSync } from 'node:fs';
import { copyFile, mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { execa } from 'execa';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

const REPO = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');

describe("the README's quick start in a fresh clone, for a new user (fresh HOME)", () => {
  let dir = '';
  let clone = '';
  let home = '';
  beforeAll(async () => {
    dir = await mkdtemp(path.join(os.tmpdir(), 'bqx-quickstart-'));
    clone = path.join(dir, 'clone');
    home = path.join(dir, 'home');
    await execa('git', ['clone', '--quiet', REPO, clone]);
    // The packages as `npm install` would fetch them, hard-linked: no download.
    await execa('cp', ['-al', path.join(REPO, 'node_modules'), path.join(clone, 'node_modules')]);
    // npm rewrites this file in place: the clone gets its own copy, not a link.
    const lock = path.join('node_modules', '.package-lock.json');
    await rm(path.join(clone, lock), { force: true });
    await copyFile(path.join(REPO, lock), path.join(clone, lock));
    await execa('mkdir', ['-p', home]);
  });
  afterAll(async () => {
    if (dir) await rm(dir, { recursive: true, force: true });
  });

  it('npm install, then npx bqx-monitor runs the product without installing anything', async () => {
    const env = { HOME: home, npm_config_cache: path.join(home, '.npm'), DATABASE_URL: '' };
    const install = await execa('npm', ['install', '--offline', '--no-audit', '--no-fund'], {
      cwd: clone,
      env,
      reject: false,
      timeout: 400_000,
    });
    expect(install.exitCode, install.stderr).toBe(0);
    const r = await execa('npx', ['bqx-monitor', '--version'], {
      cwd: clone,
      env,
      reject: false,
      timeout: 120_000,
    });
    expect(r.exitCode, r.stderr).toBe(0);
    expect(r.stdout.trim()).toMatch(/^\d+\.\d+\.\d+$/);
    // npx found the project's own bin: nothing went into its cache, no prompt, no notice.
    expect(existsSync(path.join(home, '.npm', '_npx'))).toBe(false);
    expect(r.stderr).toBe('');
  }, 600_000);
});

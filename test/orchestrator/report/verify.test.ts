import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { runCli } from '../../support/cli.js';
import { createTestDatabase, type TestDatabase } from '../../support/testDatabase.js';

const cleanups: Array<() => Promise<unknown>> = [];
afterAll(async () => {
  for (const c of cleanups.reverse()) await c().catch(() => {});
});

async function setup(): Promise<{ db: TestDatabase; dir: string }> {
  const db = await createTestDatabase();
  const dir = await mkdtemp(path.join(os.tmpdir(), 'bqx-verify-'));
  cleanups.push(
    () => db.drop(),
    () => rm(dir, { recursive: true, force: true }),
  );
  return { db, dir };
}

describe('verify', { timeout: 180_000 }, () => {
  it('lists queued units as pending, not missing, and exits 3', async () => {
    const { db } = await setup();
    expect((await runCli(['--db', db.url, 'plan'])).exitCode).toBe(0);
    const v = await runCli(['--db', db.url, 'verify', '--json']);
    expect(v.exitCode, v.stderr).toBe(3);
    const report = JSON.parse(v.stdout);
    expect(report).toMatchObject({ ok: true, verdict: 'pending', problems: [] });
    expect(report.pending).toHaveLength(12);
    expect(report.pending[0]).toMatchObject({ detail: 'queued' });
    const text = await runCli(['--db', db.url, 'verify']);
    expect(text.stdout).toContain('12 unit(s) pending:');
    expect(text.stdout).not.toContain('never run');
    // Outside a UTF-8 locale, human output is ASCII (the seed's report was mojibake).
    for (const args of [['verify'], ['doctor'], ['status']]) {
      const c = await runCli(['--db', db.url, ...args], { env: { LC_ALL: 'C', LANG: 'C' } });
      expect(c.stdout + c.stderr).not.toMatch(/[^\x00-\x7f]/);
    }
  });

  it('finds a Parquet file where its unit wrote it, whatever the directory verify runs from', async () => {
    const { db, dir } = await setup();
    const here = path.join(dir, 'a');
    const elsewhere = path.join(dir, 'b');
    const { mkdir } = await import('node:fs/promises');
    await mkdir(here);
    await mkdir(elsewhere);
    const t = await runCli(
      ['--db', db.url, '--out', 'out', 'track', 'extraction', '--pair', 'eurusd'],
      {
        cwd: here,
      },
    );
    expect(t.exitCode, t.stderr).toBe(0);
    const v = await runCli(['--db', db.url, 'verify', '--json'], { cwd: elsewhere });
    const report = JSON.parse(v.stdout);
    const eurusd = report.problems.filter(
      (p: { track: string; unit: string }) => p.track === 'extraction' && p.unit === 'eurusd',
    );
    expect(eurusd).toEqual([]);
    expect(report.checked.extraction).toMatchObject({ done: 1 });
    // The units never run are missing: a problem, exit 1.
    expect(v.exitCode).toBe(1);
  });
});

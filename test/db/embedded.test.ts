import { mkdtemp, readFile, rm, stat } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { execa } from 'execa';
import { afterEach, describe, expect, it, vi } from 'vitest';
import pg from 'pg';
import { isAlive, parsePostmasterPid } from '../../src/db/embedded/processes.js';
import { acquireEmbedded, type EmbeddedServer } from '../../src/db/embedded/server.js';
import { CLI, runCli } from '../support/cli.js';
import { removeDataDir } from '../support/dataDir.js';

const HOLDER = path.resolve(
  path.dirname(fileURLToPath(import.meta.url)),
  '../../dist/test/fixtures/holdEmbedded.js',
);

/** Starts a holder process and waits for its "ready" line. */
async function startHolder(dataDir: string) {
  const child = execa('node', [HOLDER, dataDir], { reject: false, buffer: false });
  const line = await new Promise<string>((resolve, reject) => {
    let text = '';
    child.stdout!.on('data', (d: Buffer) => {
      text += d.toString();
      if (text.includes('\n')) resolve(text.trim());
    });
    child.once('exit', (code) => reject(new Error(`holder exited ${code}`)));
  });
  return { child, line };
}

async function postmasterPid(clusterDir: string): Promise<number | undefined> {
  const text = await readFile(path.join(clusterDir, 'postmaster.pid'), 'utf8').catch(
    () => undefined,
  );
  return text ? parsePostmasterPid(text)?.pid : undefined;
}

/** The settings a write-once bulk pipeline runs with, as pg_settings reports them. */
const WRITE_ONCE = {
  wal_level: 'minimal',
  max_wal_senders: '0',
  max_wal_size: '4096',
  checkpoint_timeout: '900',
  synchronous_commit: 'off',
  fsync: 'on',
  full_page_writes: 'on',
};

async function settingsOf(server: EmbeddedServer): Promise<Record<string, string>> {
  const c = new pg.Client({ connectionString: server.url });
  await c.connect();
  try {
    const r = await c.query('SELECT name, setting FROM pg_settings WHERE name = ANY($1)', [
      Object.keys(WRITE_ONCE),
    ]);
    return Object.fromEntries(r.rows.map((x) => [x.name, x.setting]));
  } finally {
    await c.end();
  }
}

async function clusterDirOf(dataDir: string): Promise<string> {
  return JSON.parse(await readFile(path.join(dataDir, 'embedded.json'), 'utf8')).clusterDir;
}

describe('the embedded PostgreSQL', () => {
  const dirs: string[] = [];
  afterEach(async () => {
    for (const d of dirs.splice(0)) {
      const cluster = await clusterDirOf(d).catch(() => undefined);
      const pid = cluster ? await postmasterPid(cluster) : undefined;
      if (pid && isAlive(pid)) {
        process.kill(pid, 'SIGTERM');
        await vi.waitFor(() => expect(isAlive(pid)).toBe(false), { timeout: 30_000, interval: 50 });
      }
      await removeDataDir(d);
    }
  });

  it('starts on demand, keeps its password private and stops when the command ends', async () => {
    const dataDir = await mkdtemp(path.join(os.tmpdir(), 'bqx-emb-'));
    dirs.push(dataDir);
    const r = await runCli(['doctor', '--data-dir', dataDir]);
    expect(r.exitCode).toBe(2); // empty database: sources missing
    const state = JSON.parse(await readFile(path.join(dataDir, 'embedded.json'), 'utf8'));
    expect((await stat(path.join(dataDir, 'embedded.json'))).mode & 0o777).toBe(0o600);
    expect(r.stdout).toContain('embedded postgresql://bqx:****@127.0.0.1:');
    expect(`${r.stdout}${r.stderr}`).not.toContain(state.password);
    expect(await postmasterPid(state.clusterDir)).toBeUndefined();
  });

  it('adopts the orphan postmaster of a SIGKILLed run, then stops it', async () => {
    const dataDir = await mkdtemp(path.join(os.tmpdir(), 'bqx-emb-'));
    dirs.push(dataDir);
    const { child, line } = await startHolder(dataDir);
    expect(line).toMatch(/^ready \d+ started$/);
    child.kill('SIGKILL');
    await child;
    const cluster = await clusterDirOf(dataDir);
    const orphan = await postmasterPid(cluster);
    expect(orphan && isAlive(orphan)).toBe(true);
    const r = await runCli(['doctor', '--data-dir', dataDir]);
    expect(r.stderr).not.toMatch(/internal error/);
    expect(r.stdout).toContain('bqx-monitor doctor');
    expect(await postmasterPid(cluster)).toBeUndefined();
    // …and the next run starts it again normally.
    const again = await runCli(['doctor', '--data-dir', dataDir]);
    expect(again.stdout).toContain('bqx-monitor doctor');
  });

  it("starts with the write-once settings, whatever the cluster's own configuration says", async () => {
    const dataDir = await mkdtemp(path.join(os.tmpdir(), 'bqx-emb-'));
    dirs.push(dataDir);
    let server = await acquireEmbedded(dataDir);
    expect(await settingsOf(server)).toEqual(WRITE_ONCE);
    // A cluster configured otherwise, as an older version's or a hand-edited one.
    const c = new pg.Client({ connectionString: server.url });
    await c.connect();
    await c.query(`ALTER SYSTEM SET wal_level = 'replica'`);
    await c.query(`ALTER SYSTEM SET synchronous_commit = 'on'`);
    await c.query(`ALTER SYSTEM SET fsync = 'off'`);
    await c.end();
    await server.release();
    server = await acquireEmbedded(dataDir);
    expect(server.started).toBe(true);
    expect(await settingsOf(server)).toEqual(WRITE_ONCE);
    await server.release();
  });

  it('lets a second bqx-monitor attach while one runs, without stopping it under the first', async () => {
    const dataDir = await mkdtemp(path.join(os.tmpdir(), 'bqx-emb-'));
    dirs.push(dataDir);
    const { child } = await startHolder(dataDir);
    const cluster = await clusterDirOf(dataDir);
    const pid = await postmasterPid(cluster);
    const r = await runCli(['doctor', '--data-dir', dataDir]);
    expect(r.stdout).toContain('bqx-monitor doctor');
    expect(await postmasterPid(cluster)).toBe(pid); // still running for the first holder
    expect(isAlive(pid!)).toBe(true);
    child.kill('SIGTERM');
    await child;
  });

  it('runs from a data directory under a 0700 home (as root: by relocating the cluster)', async () => {
    const home = await mkdtemp(path.join(os.tmpdir(), 'bqx-home-'));
    dirs.push(home);
    expect((await stat(home)).mode & 0o777).toBe(0o700);
    const r = await runCli(['doctor'], { env: { HOME: home, XDG_DATA_HOME: '' } });
    expect(r.stdout).toContain('bqx-monitor doctor');
    const dataDir = path.join(home, '.local', 'share', 'bqx-monitor');
    const cluster = await clusterDirOf(dataDir);
    if (process.getuid?.() === 0) {
      // PostgreSQL runs as `postgres`, which cannot enter a 0700 home.
      expect(cluster.startsWith('/var/lib/bqx-monitor/clusters/')).toBe(true);
      await rm(path.dirname(cluster), { recursive: true, force: true });
    } else {
      expect(cluster).toBe(path.join(dataDir, 'pg'));
    }
  });

  it('stops the server it started when interrupted with SIGTERM', async () => {
    const dataDir = await mkdtemp(path.join(os.tmpdir(), 'bqx-emb-'));
    dirs.push(dataDir);
    const { child } = await startHolder(dataDir);
    const cluster = await clusterDirOf(dataDir);
    expect(await postmasterPid(cluster)).toBeDefined();
    child.kill('SIGKILL');
    await child;
    // A seed interrupted by SIGTERM rolls back the pairs its threads were loading, releases
    // and (being the last user) stops the server, and exits 143.
    const cli = execa(
      'node',
      [CLI, 'seed', '--data-dir', dataDir, '--pairs', 'eurusd,gbpusd,usdjpy', '--workers', '2'],
      { reject: false, forceKillAfterDelay: 30_000 },
    );
    // Two threads take eurusd and gbpusd; the first to commit frees one for usdjpy.
    const first = await new Promise<string>((resolve) => {
      cli.stderr!.on('data', (d: Buffer) => {
        const m = /seeding: (\w+) done/.exec(d.toString());
        if (m) resolve(m[1]!);
      });
    });
    cli.kill('SIGTERM');
    const res = await cli;
    expect(res.exitCode).toBe(143);
    expect(await postmasterPid(cluster)).toBeUndefined();
    const doctor = await runCli(['doctor', '--json', '--data-dir', dataDir]);
    const missing = JSON.parse(doctor.stdout).problems.map((p: { table?: string }) => p.table);
    expect(missing).not.toContain(`m1_${first}`);
    expect(missing).toContain('m1_usdjpy'); // rolled back as a whole, not half-loaded
    // Seeding three pairs beside the orchestrator's end-to-end tests can take over a minute.
  }, 240_000);
});

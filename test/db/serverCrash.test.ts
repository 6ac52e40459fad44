import { readdir, readFile } from 'node:fs/promises';
import path from 'node:path';
import { execa } from 'execa';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { EMBEDDED_DATABASE } from '../../src/db/connection/open.js';
import { acquireEmbedded, type EmbeddedServer } from '../../src/db/embedded/server.js';
import { isAlive, parsePostmasterPid } from '../../src/db/embedded/processes.js';
import { CLI, runCli } from '../support/cli.js';
import { makeDataDir, removeDataDir } from '../support/dataDir.js';

/** The postmaster of a cluster and every process it started (its backends, its workers). */
async function serverProcesses(clusterDir: string): Promise<number[]> {
  const text = await readFile(path.join(clusterDir, 'postmaster.pid'), 'utf8');
  const postmaster = parsePostmasterPid(text)!.pid;
  const children: number[] = [];
  for (const entry of await readdir('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    const stat = await readFile(`/proc/${entry}/stat`, 'utf8').catch(() => '');
    // Fields after the command's closing parenthesis: state, then the parent's pid.
    const ppid = Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]);
    if (ppid === postmaster) children.push(Number(entry));
  }
  return [postmaster, ...children];
}

/** kill -9 of the whole server, as a crash would stop it; waits until every process is gone. */
async function crashServer(clusterDir: string): Promise<void> {
  const pids = await serverProcesses(clusterDir);
  for (const pid of pids) process.kill(pid, 'SIGKILL');
  while (pids.some(isAlive)) await new Promise((r) => setTimeout(r, 20));
}

/** The URL of bqx-monitor's database in the embedded server. */
const databaseUrl = (s: EmbeddedServer) => s.url.replace(/\/postgres$/, `/${EMBEDDED_DATABASE}`);

describe('a unit across a kill -9 of the embedded server (wal_level = minimal)', () => {
  let dataDir: string;
  let server: EmbeddedServer;
  let db: pg.Client;
  const connect = async () => {
    server = await acquireEmbedded(dataDir);
    db = new pg.Client({ connectionString: databaseUrl(server) });
    // The crash ends this session too: expected, not an error of the test.
    db.on('error', () => {});
    await db.connect();
  };
  const md5 = async () =>
    (
      await db.query(
        `SELECT md5(string_agg(x::text, '|' ORDER BY x.ts_utc)) AS h FROM bqx.bollinger_bqx_eurusd_2024_08 x`,
      )
    ).rows[0].h as string;
  const track = ['track', 'bollinger', '--pair', 'eurusd', '--month', '2024-08'];

  beforeAll(async () => {
    dataDir = await makeDataDir('bqx-crash-');
    const seeded = await runCli(
      [
        'seed',
        '--data-dir',
        dataDir,
        '--pairs',
        'eurusd',
        '--from',
        '2024-07',
        '--to',
        '2024-08',
        '--workers',
        '1',
      ],
      { timeout: 170_000 },
    );
    expect(seeded.exitCode, seeded.stderr).toBe(0);
    await connect();
  }, 180_000);
  afterAll(async () => {
    await db.end().catch(() => {});
    await server.release();
    await removeDataDir(dataDir);
  });

  it('keeps the old partition when the server dies before the unit commits', async () => {
    expect((await runCli([...track, '--data-dir', dataDir])).exitCode).toBe(0);
    const before = await md5();
    // Hold the unit's ledger row on a session of its own (whatever happens, the next test
    // finds none held): the next run of the unit blocks after TRUNCATE + COPY.
    const holder = new pg.Client({ connectionString: databaseUrl(server) });
    holder.on('error', () => {});
    await holder.connect();
    const probe = new pg.Client({ connectionString: databaseUrl(server) });
    probe.on('error', () => {});
    await probe.connect();
    await holder.query('BEGIN');
    await holder.query(
      `SELECT * FROM bqx_monitor.unit_results WHERE unit = 'eurusd/2024-08' FOR UPDATE`,
    );
    const child = execa('node', [CLI, ...track, '--data-dir', dataDir], { reject: false });
    try {
      // The unit's outcome statement (WITH ... INSERT INTO unit_results ...) waits on the row.
      await expect
        .poll(
          async () =>
            (
              await probe.query(
                `SELECT count(*)::int AS n FROM pg_stat_activity WHERE wait_event_type = 'Lock'
                    AND query LIKE '%INSERT INTO bqx_monitor.unit_results%'`,
              )
            ).rows[0].n,
          { timeout: 50_000, interval: 50 },
        )
        .toBeGreaterThan(0);
      await probe.end();
      await crashServer(server.clusterDir);
      await child;
    } finally {
      child.kill('SIGKILL');
      await probe.end().catch(() => {});
      await holder.end().catch(() => {});
    }
    await db.end().catch(() => {});
    await server.release();
    await connect(); // starts the server again: crash recovery
    expect(await md5()).toBe(before);
  });

  it('keeps the new partition when the server dies right after the unit committed', async () => {
    const before = await md5();
    await db.query(
      `UPDATE bqx.bqx_eurusd SET w15_bqx_return = w15_bqx_return * 2 WHERE ts_utc >= '2024-08-01 00:00:00+00'`,
    );
    const r = await runCli([...track, '--data-dir', dataDir]);
    expect(r.exitCode, r.stderr).toBe(0);
    const after = await md5();
    expect(after).not.toBe(before);
    await crashServer(server.clusterDir);
    await db.end().catch(() => {});
    await server.release();
    await connect();
    expect(await md5()).toBe(after);
    const ledger = await db.query(
      `SELECT status, rows::int AS rows FROM bqx_monitor.unit_results WHERE unit = 'eurusd/2024-08'`,
    );
    const rows = await db.query('SELECT count(*)::int AS n FROM bqx.bollinger_bqx_eurusd_2024_08');
    expect(ledger.rows).toEqual([{ status: 'done', rows: rows.rows[0].n }]);
  });
});

import { chmod, chown, mkdir, readFile, rm, stat, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { execa } from 'execa';
import lockfile from 'proper-lockfile';
import { resolveBinaries, type PgBinaries } from './binaries.js';
import { serverIdentity } from './identity.js';
import { dropLease, takeLease } from './leases.js';
import { relocatedClusterDir, SYSTEM_DIR } from './paths.js';
import { freePort, isPortFree } from './port.js';
import { commandLine, isAlive, parsePostmasterPid } from './processes.js';
import { type EmbeddedState, generatePassword, readState, writeState } from './state.js';
import { canTraverse, type Identity } from './traverse.js';

/** A running embedded server this process holds a lease on. */
export interface EmbeddedServer {
  /** Connection URL including the password: never print it (use maskUrl). */
  readonly url: string;
  readonly port: number;
  /** True when this process started the server; false when it attached to a running one. */
  readonly started: boolean;
  readonly clusterDir: string;
  /** Drops the lease; stops the server when no other bqx-monitor uses it. */
  release(): Promise<void>;
}

type Log = (message: string) => void;

/**
 * The environment of initdb / pg_ctl / postgres: only PATH and a C locale. The user's
 * PG* variables (even empty ones: PGPORT='' is an invalid port) must not reach the server.
 */
function serverEnv(): Record<string, string> {
  return { PATH: process.env['PATH'] ?? '/usr/bin:/bin', LC_ALL: 'C' };
}

async function withLock<T>(dataDir: string, fn: () => Promise<T>): Promise<T> {
  const unlock = await lockfile.lock(dataDir, {
    lockfilePath: path.join(dataDir, 'embedded.lock'),
    realpath: false,
    stale: 20_000,
    retries: { retries: 300, minTimeout: 100, maxTimeout: 500 },
  });
  try {
    return await fn();
  } finally {
    await unlock().catch(() => undefined);
  }
}

async function clusterDirFor(dataDir: string, runAs: Identity | undefined): Promise<string> {
  const inside = path.join(dataDir, 'pg');
  if (!runAs || (await canTraverse(dataDir, runAs))) return inside;
  return relocatedClusterDir(dataDir);
}

async function initCluster(bin: PgBinaries, s: EmbeddedState, runAs: Identity | undefined) {
  // Parents must let the server user pass; the cluster itself is private to it.
  await mkdir(path.dirname(s.clusterDir), { recursive: true, mode: 0o755 });
  if (s.clusterDir.startsWith(`${SYSTEM_DIR}/`)) {
    // Directories an earlier, interrupted run may have created with a stricter umask.
    for (let d = path.dirname(s.clusterDir); d.startsWith(SYSTEM_DIR); d = path.dirname(d)) {
      await chmod(d, 0o755);
    }
  }
  await mkdir(s.clusterDir, { recursive: true, mode: 0o700 });
  if (runAs) await chown(s.clusterDir, runAs.uid, runAs.gid);
  // initdb reads the password from a file the server user can read; removed at once.
  const pwfile = path.join(s.clusterDir, '..', `.pw-${process.pid}`);
  await writeFile(pwfile, `${s.password}\n`, { mode: 0o600 });
  if (runAs) await chown(pwfile, runAs.uid, runAs.gid);
  try {
    const r = await execa(
      bin.initdb,
      [
        `--pgdata=${s.clusterDir}`,
        `--username=${s.user}`,
        `--pwfile=${pwfile}`,
        '--auth=scram-sha-256',
        '--encoding=UTF8',
        '--locale=C',
        '--no-sync',
      ],
      { ...(runAs ?? {}), env: serverEnv(), extendEnv: false, reject: false, stdin: 'ignore' },
    );
    if (r.exitCode !== 0) {
      throw new Error(`initdb failed (exit ${r.exitCode}): ${r.stderr.trim()}`);
    }
  } finally {
    await rm(pwfile, { force: true });
  }
}

/** The pid and port of a live postmaster for this cluster, else undefined (stale file removed). */
async function runningPostmaster(
  clusterDir: string,
): Promise<{ pid: number; port: number } | undefined> {
  const pidFile = path.join(clusterDir, 'postmaster.pid');
  const text = await readFile(pidFile, 'utf8').catch(() => undefined);
  if (text === undefined) return undefined;
  const info = parsePostmasterPid(text);
  if (info && isAlive(info.pid) && (await commandLine(info.pid))?.includes('postgres')) return info;
  // A killed postmaster leaves its pid file; a recycled pid would block the next start.
  await rm(pidFile, { force: true });
  return undefined;
}

/**
 * Server settings of the private cluster, given on the command line of every start, so a
 * cluster created by an older version gets them at its next start (the command line
 * overrides postgresql.conf and ALTER SYSTEM). Loopback TCP only, no Unix socket; then
 * what a write-once bulk pipeline wants (docs/decisions.md, "Scale"):
 * - `wal_level=minimal` (needs `max_wal_senders=0`): a COPY into a table created or
 *   truncated in its own transaction — every unit's write, every seeded table — is not
 *   written to the WAL; its files are synced at commit instead. Nothing here streams or
 *   archives WAL, which is what the other levels are for.
 * - `max_wal_size` / `checkpoint_timeout`: what WAL remains (catalog, queue, small
 *   indexes, hint bits of tables a older seeder wrote) should not force checkpoints.
 * - `synchronous_commit=off`: the queue's, the heartbeats' and the ledger's small commits
 *   do not wait for a WAL flush; one lost in a server crash is redone (a job taken or
 *   finished again, an empty unit recorded again). A unit's write and a seeded pair
 *   commit synchronously all the same (they say so, and PostgreSQL flushes any commit
 *   that drops files, as TRUNCATE does).
 * - `fsync` and `full_page_writes` on, whatever a configuration file says: crash safety.
 */
export const SERVER_SETTINGS: readonly string[] = [
  'listen_addresses=127.0.0.1',
  "unix_socket_directories=''",
  'wal_level=minimal',
  'max_wal_senders=0',
  'max_wal_size=4GB',
  'checkpoint_timeout=15min',
  'synchronous_commit=off',
  'fsync=on',
  'full_page_writes=on',
];

async function startServer(
  bin: PgBinaries,
  s: EmbeddedState,
  runAs: Identity | undefined,
  extra: readonly string[],
) {
  const args = [
    'start',
    '-D',
    s.clusterDir,
    '-w',
    '-t',
    '60',
    '-l',
    path.join(s.clusterDir, 'server.log'),
    '-o',
    `-p ${s.port} ${[...SERVER_SETTINGS, ...extra].map((x) => `-c ${x}`).join(' ')}`,
  ];
  const r = await execa(bin.pgCtl, args, {
    ...(runAs ?? {}),
    env: serverEnv(),
    extendEnv: false,
    reject: false,
    stdin: 'ignore',
  });
  if (r.exitCode !== 0) {
    const log = await readFile(path.join(s.clusterDir, 'server.log'), 'utf8').catch(() => '');
    const tail = log.trim().split('\n').slice(-5).join('\n');
    throw new Error(
      `embedded PostgreSQL did not start (pg_ctl exit ${r.exitCode}):\n${r.stderr}\n${tail}`,
    );
  }
}

async function stopServer(clusterDir: string, log: Log): Promise<void> {
  const runAs = await serverIdentity();
  const bin = await resolveBinaries(runAs);
  const r = await execa(bin.pgCtl, ['stop', '-D', clusterDir, '-m', 'fast', '-w', '-t', '60'], {
    ...(runAs ?? {}),
    env: serverEnv(),
    extendEnv: false,
    reject: false,
    stdin: 'ignore',
  });
  if (r.exitCode !== 0) log(`embedded PostgreSQL did not stop cleanly: ${r.stderr.trim()}`);
}

/**
 * Starts the embedded PostgreSQL of `dataDir`, or attaches to it when another
 * bqx-monitor (or an orphan of a killed one) already runs it. Creates the cluster
 * on first use: 127.0.0.1 only, a free port, a generated password kept mode 0600.
 */
export async function acquireEmbedded(
  dataDir: string,
  log: Log = () => {},
  /**
   * `name=value` settings after SERVER_SETTINGS (a later one wins), for a server this call
   * starts: the bench compares settings with it. A server already running keeps its own.
   */
  extraSettings: readonly string[] = [],
): Promise<EmbeddedServer> {
  for (const x of extraSettings) {
    if (!/^[a-z_]+=[A-Za-z0-9_.]+$/.test(x))
      throw new Error(`bad server setting ${JSON.stringify(x)}`);
  }
  const runAs = await serverIdentity();
  // As root, 0711 lets the `postgres` user pass through to the cluster (files stay 0600).
  await mkdir(dataDir, { recursive: true, mode: runAs ? 0o711 : 0o700 });
  const bin = await resolveBinaries(runAs);
  const { state, started } = await withLock(dataDir, async () => {
    const created = await clusterState(dataDir, bin, runAs, log);
    const running = await ensureRunning(dataDir, created, (s) => {
      log(`starting embedded PostgreSQL on 127.0.0.1:${s.port}`);
      return startServer(bin, s, runAs, extraSettings);
    });
    await takeLease(dataDir);
    return running;
  });
  return leasedServer(dataDir, state, started, log);
}

/** The cluster's recorded state, created (with the cluster) on first use. */
async function clusterState(
  dataDir: string,
  bin: PgBinaries,
  runAs: Identity | undefined,
  log: Log,
): Promise<EmbeddedState> {
  let s = await readState(dataDir);
  if (!s) {
    s = {
      version: 1,
      user: 'bqx',
      password: generatePassword(),
      port: await freePort(),
      clusterDir: await clusterDirFor(dataDir, runAs),
    };
    await writeState(dataDir, s);
  }
  if (!(await stat(path.join(s.clusterDir, 'PG_VERSION')).catch(() => undefined))) {
    log('creating the embedded PostgreSQL cluster');
    await rm(s.clusterDir, { recursive: true, force: true });
    await initCluster(bin, s, runAs);
  }
  return s;
}

/**
 * The running server's state: the postmaster found running (on whatever port it has), or
 * started with `start` (on a new free port if the recorded one is taken).
 */
async function ensureRunning(
  dataDir: string,
  s: EmbeddedState,
  start: (s: EmbeddedState) => Promise<void>,
): Promise<{ state: EmbeddedState; started: boolean }> {
  const running = await runningPostmaster(s.clusterDir);
  if (running) {
    return { state: running.port !== s.port ? { ...s, port: running.port } : s, started: false };
  }
  let state = s;
  if (!(await isPortFree(state.port))) {
    state = { ...state, port: await freePort() };
    await writeState(dataDir, state);
  }
  await start(state);
  return { state, started: true };
}

/** The handle of a server this process holds a lease on; `release` drops the lease once. */
function leasedServer(
  dataDir: string,
  state: EmbeddedState,
  started: boolean,
  log: Log,
): EmbeddedServer {
  let released = false;
  return {
    url: `postgresql://${state.user}:${encodeURIComponent(state.password)}@127.0.0.1:${state.port}/postgres`,
    port: state.port,
    started,
    clusterDir: state.clusterDir,
    async release() {
      if (released) return;
      released = true;
      await withLock(dataDir, async () => {
        const others = await dropLease(dataDir);
        if (others.length === 0) await stopServer(state.clusterDir, log);
      });
    },
  };
}

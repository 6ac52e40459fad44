import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sslConnection } from '../../src/db/connection/sslMode.js';
import { runCli } from '../support/cli.js';
import { createTestDatabase, type TestDatabase } from '../support/testDatabase.js';

describe("sslmode with libpq's meaning", () => {
  it.each([
    ['postgres://u@h/d?sslmode=disable', 'postgres://u@h/d', false],
    [
      'postgres://u@h/d?sslmode=allow&application_name=x',
      'postgres://u@h/d?application_name=x',
      false,
    ],
    ['postgres://u@h/d?sslmode=prefer', 'postgres://u@h/d', { rejectUnauthorized: false }],
    ['postgres://u@h/d?sslmode=require', 'postgres://u@h/d', { rejectUnauthorized: false }],
    ['postgres://u@h/d?sslmode=verify-full', 'postgres://u@h/d', {}],
    ['postgres://u@h/d', 'postgres://u@h/d', undefined],
  ])('%s → %s, ssl %j', (url, stripped, ssl) => {
    const c = sslConnection(url, {});
    expect(c.connectionString).toBe(stripped);
    expect(c.ssl).toEqual(ssl);
  });

  it('checks the chain but not the host name for verify-ca', () => {
    const c = sslConnection('postgres://u@h/d?sslmode=verify-ca', {});
    const ssl = c.ssl as { checkServerIdentity: () => unknown; rejectUnauthorized?: boolean };
    expect(ssl.rejectUnauthorized).toBeUndefined();
    expect(ssl.checkServerIdentity()).toBeUndefined();
  });

  it('reads PGSSLMODE when there is no URL, and refuses an unknown mode', () => {
    expect(sslConnection(undefined, { PGSSLMODE: 'require' }).ssl).toEqual({
      rejectUnauthorized: false,
    });
    expect(sslConnection(undefined, {}).ssl).toBeUndefined();
    expect(() => sslConnection('postgres://u@h/d?sslmode=on', {})).toThrow(
      'sslmode=on: expected one of disable, allow, prefer, require, verify-ca, verify-full',
    );
  });
});

describe('a managed database URL against a server without TLS (real processes)', () => {
  let db: TestDatabase;
  beforeAll(async () => {
    db = await createTestDatabase({ empty: true });
  });
  afterAll(async () => {
    await db?.drop();
  });

  it('says in one line of ours that TLS failed, nothing from the driver, no password', async () => {
    const password = decodeURIComponent(new URL(db.url).password);
    const r = await runCli(['status', '--db', `${db.url}?sslmode=require`]);
    expect(r.exitCode).toBe(1);
    expect(r.stderr).toMatch(
      /^bqx-monitor: cannot connect to postgres(ql)?:\/\/\S+:\*{4}@\S+ \(from --db\): /,
    );
    expect(r.stderr).toContain('does not support SSL');
    expect(r.stderr.split('\n')).toHaveLength(1);
    expect(r.stderr).not.toContain('WARNING');
    if (password) expect(r.stderr).not.toContain(password);
    expect(r.stdout).toBe('');
  });

  it('connects without TLS for sslmode=disable, and refuses a mode libpq has not (exit 2)', async () => {
    const ok = await runCli(['status', '--db', `${db.url}?sslmode=disable`]);
    expect(ok.exitCode, ok.stderr).toBe(0);
    expect(ok.stderr).toBe('');
    const bad = await runCli(['status', '--db', `${db.url}?sslmode=on`]);
    expect(bad.exitCode).toBe(2);
    expect(bad.stderr).toBe(
      'bqx-monitor: sslmode=on: expected one of disable, allow, prefer, require, verify-ca, verify-full',
    );
  });
});

import { describe, expect, it } from 'vitest';
import { describeTarget, maskUrl, resolveTarget } from '../../src/db/connection/target.js';
import { ident } from '../../src/db/sql/ident.js';

describe('database target resolution', () => {
  const env = { DATABASE_URL: 'postgres://a:envpw@h/db', PGHOST: 'pghost' };

  it('prefers --db over everything', () => {
    expect(resolveTarget({ flag: 'postgres://f@h/d', env, configUrl: 'postgres://c@h/d' })).toEqual(
      {
        kind: 'url',
        url: 'postgres://f@h/d',
        source: '--db',
      },
    );
  });

  it('uses DATABASE_URL before PG* variables and config', () => {
    expect(resolveTarget({ env, configUrl: 'postgres://c@h/d' })).toMatchObject({
      source: 'DATABASE_URL',
    });
  });

  it('uses libpq PG* variables before the config file', () => {
    expect(resolveTarget({ env: { PGHOST: 'x' }, configUrl: 'postgres://c@h/d' })).toEqual({
      kind: 'libpq',
      source: 'PG* variables',
    });
  });

  it('uses the config file, else the embedded server', () => {
    expect(resolveTarget({ env: {}, configUrl: 'postgres://c@h/d' })).toMatchObject({
      source: 'config',
    });
    expect(resolveTarget({ env: {} })).toEqual({ kind: 'embedded' });
    expect(resolveTarget({ env: { DATABASE_URL: '' } })).toEqual({ kind: 'embedded' });
  });
});

describe('password masking', () => {
  it.each([
    ['postgres://user:s3cret@db.example:5432/bqx', 'postgres://user:****@db.example:5432/bqx'],
    [
      'postgresql://u:p%40ss@127.0.0.1/x?sslmode=require',
      'postgresql://u:****@127.0.0.1/x?sslmode=require',
    ],
    ['postgres://u@h/db?password=s3cret&x=1', 'postgres://u@h/db?password=****&x=1'],
    ['postgres://nopass@h/db', 'postgres://nopass@h/db'],
    // A password holding a raw @ : / and % (not percent-encoded): no fragment of it shows.
    ['postgres://bqx_s:p@ss:w/rd%x@127.0.0.1:5432/db', 'postgres://bqx_s:****@127.0.0.1:5432/db'],
    ['postgres://u:s3cret@h/db?application_name=a@b', 'postgres://u:****@b'],
  ])('masks %s', (url, masked) => {
    expect(maskUrl(url)).toBe(masked);
    expect(maskUrl(url)).not.toMatch(/s3cret|p%40ss|ss:w|rd%x/);
  });

  it('refuses a URL that does not parse, and shows none of it', () => {
    const bad = 'postgres://bqx_s:p@ss:w/rd%x@127.0.0.1:1/db';
    expect(() => resolveTarget({ flag: bad, env: {} })).toThrow(/not a valid URL/);
    try {
      resolveTarget({ flag: bad, env: {} });
    } catch (err) {
      expect(String((err as Error).message)).not.toMatch(/p@ss|w\/rd|%x|127\.0/);
    }
    expect(() => resolveTarget({ flag: 'not-a-url', env: {} })).toThrow(/not a valid URL/);
    expect(() => resolveTarget({ flag: 'mysql://u@h/d', env: {} })).toThrow(/not a PostgreSQL URL/);
  });

  it('never shows the password in a target description', () => {
    const d = describeTarget({ kind: 'url', url: 'postgres://u:hunter2@h/db', source: '--db' });
    expect(d).not.toContain('hunter2');
    expect(describeTarget({ kind: 'embedded' }, 'postgresql://bqx:zzzzzzzz@127.0.0.1:5/bqx')).toBe(
      'embedded postgresql://bqx:****@127.0.0.1:5/bqx',
    );
  });
});

describe('SQL identifiers', () => {
  it('quotes allowed names and refuses anything else', () => {
    expect(ident('m1_eurusd')).toBe('"m1_eurusd"');
    expect(() => ident('m1"; drop')).toThrow(/unsafe/);
    expect(() => ident('M1')).toThrow(/unsafe/);
  });
});

import { UserError } from '../../config/userError.js';

/** Where the database is, and which rule of the resolution order chose it. */
export type DbTarget =
  | {
      readonly kind: 'url';
      readonly url: string;
      readonly source: '--db' | 'DATABASE_URL' | 'config';
    }
  | { readonly kind: 'libpq'; readonly source: 'PG* variables' }
  | { readonly kind: 'embedded' };

const LIBPQ_VARS = ['PGHOST', 'PGHOSTADDR', 'PGPORT', 'PGDATABASE', 'PGUSER'] as const;

/**
 * Resolution order (docs/spec/DESIGN.md): `--db URL`, `DATABASE_URL`, libpq `PG*` variables,
 * the config file's `database.url`, else the embedded server.
 */
export function resolveTarget(input: {
  flag?: string | undefined;
  env: Readonly<Record<string, string | undefined>>;
  configUrl?: string | undefined;
}): DbTarget {
  const url = (u: string, source: '--db' | 'DATABASE_URL' | 'config'): DbTarget => {
    checkDatabaseUrl(u, source);
    return { kind: 'url', url: u, source };
  };
  if (input.flag) return url(input.flag, '--db');
  const envUrl = input.env['DATABASE_URL'];
  if (envUrl) return url(envUrl, 'DATABASE_URL');
  if (LIBPQ_VARS.some((v) => input.env[v])) return { kind: 'libpq', source: 'PG* variables' };
  if (input.configUrl) return url(input.configUrl, 'config');
  return { kind: 'embedded' };
}

/**
 * Replaces the password of a connection URL (and any `password=` parameter) with `****`,
 * without parsing it: a password may hold a raw `@`, `:`, `/` or `%` that no URL parser
 * reads as the user meant. Everything between the user name and the **last** `@` is the
 * password; a URL with an `@` further on (in its query) is masked too far, never too little.
 */
export function maskUrl(url: string): string {
  const out = url.replace(/(password=)[^&\s]*/gi, '$1****');
  const m = /^([a-z][a-z0-9+.-]*:\/\/)([\s\S]*)$/i.exec(out);
  if (!m) return out;
  const scheme = m[1]!;
  const rest = m[2]!;
  const at = rest.lastIndexOf('@');
  if (at < 0) return out;
  const userinfo = rest.slice(0, at);
  const colon = userinfo.indexOf(':');
  const user = colon < 0 ? userinfo : `${userinfo.slice(0, colon)}:****`;
  return `${scheme}${user}@${rest.slice(at + 1)}`;
}

/** Schemes node-postgres takes as a connection string. */
const URL_SCHEMES = ['postgres:', 'postgresql:', 'socket:'];

/**
 * Checks a database URL before anything uses it: a URL that does not parse is refused
 * with a hint and shown not at all (it may hold a password that only looks malformed).
 */
export function checkDatabaseUrl(url: string, source: string): void {
  let scheme: string;
  try {
    scheme = new URL(url).protocol;
  } catch {
    throw new UserError(
      `the database URL from ${source} is not a valid URL (postgres://user[:password]@host[:port]/database; percent-encode @ : / % in a password)`,
    );
  }
  if (!URL_SCHEMES.includes(scheme))
    throw new UserError(
      `the database URL from ${source} is not a PostgreSQL URL: it must start with postgres:// or postgresql://`,
    );
}

/** A one-line, password-free description of a target for the UI, logs and JSON. */
export function describeTarget(t: DbTarget, embeddedUrl?: string): string {
  switch (t.kind) {
    case 'url':
      return `${maskUrl(t.url)} (from ${t.source})`;
    case 'libpq':
      return 'libpq PG* environment variables';
    case 'embedded':
      return embeddedUrl ? `embedded ${maskUrl(embeddedUrl)}` : 'embedded';
  }
}

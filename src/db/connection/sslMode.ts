import { readFileSync } from 'node:fs';
import type { ConnectionOptions } from 'node:tls';
import { UserError } from '../../config/userError.js';

/** libpq's `sslmode` values (https://www.postgresql.org/docs/current/libpq-ssl.html). */
export const SSL_MODES = ['disable', 'allow', 'prefer', 'require', 'verify-ca', 'verify-full'];

/** The URL parameters this module reads itself, so the driver never sees them. */
const SSL_PARAMS = ['sslmode', 'sslrootcert', 'sslcert', 'sslkey'];

/** A connection string without its TLS parameters, and the driver's `ssl` setting for them. */
export interface SslConnection {
  readonly connectionString: string | undefined;
  /** Undefined: no TLS parameter was given (the driver's default: no TLS). */
  readonly ssl: false | ConnectionOptions | undefined;
}

/**
 * The `ssl` setting of node-postgres for libpq's `sslmode` (the meaning a PostgreSQL user
 * expects; docs/configuration.md): `disable` and `allow` connect without TLS; `prefer` and
 * `require` encrypt without verifying the certificate (libpq's `prefer` falls back to no TLS
 * on a server without it: not here, use `disable` there); `verify-ca` checks the chain, not
 * the host name; `verify-full` checks both. `sslrootcert`, `sslcert`, `sslkey` are files.
 */
export function sslOptions(
  mode: string,
  files: { rootcert?: string; cert?: string; key?: string } = {},
): false | ConnectionOptions {
  if (!SSL_MODES.includes(mode))
    throw new UserError(`sslmode=${mode}: expected one of ${SSL_MODES.join(', ')}`);
  if (mode === 'disable' || mode === 'allow') return false;
  const read = (what: string, file: string | undefined) => {
    if (file === undefined) return undefined;
    try {
      return readFileSync(file, 'utf8');
    } catch (err) {
      throw new UserError(`cannot read ${what} ${file}: ${(err as NodeJS.ErrnoException).code}`);
    }
  };
  const ca = read('sslrootcert', files.rootcert);
  const cert = read('sslcert', files.cert);
  const key = read('sslkey', files.key);
  const pem = { ...(ca ? { ca } : {}), ...(cert ? { cert } : {}), ...(key ? { key } : {}) };
  if (mode === 'prefer' || mode === 'require') return { ...pem, rejectUnauthorized: false };
  if (mode === 'verify-ca') return { ...pem, checkServerIdentity: () => undefined };
  return pem;
}

/**
 * Takes the TLS parameters out of a connection string (the driver would read `sslmode` its
 * own way and print a ten-line warning) and turns them into its `ssl` setting; without a
 * connection string, `PGSSLMODE` and `PGSSLROOTCERT` as libpq reads them.
 */
export function sslConnection(
  connectionString: string | undefined,
  env: Readonly<Record<string, string | undefined>> = process.env,
): SslConnection {
  if (connectionString === undefined) {
    const mode = env['PGSSLMODE'];
    if (!mode) return { connectionString, ssl: undefined };
    return { connectionString, ssl: sslOptions(mode, { rootcert: env['PGSSLROOTCERT'] }) };
  }
  const q = connectionString.indexOf('?');
  if (q < 0) return { connectionString, ssl: undefined };
  const params = new URLSearchParams(connectionString.slice(q + 1));
  if (!SSL_PARAMS.some((p) => params.has(p))) return { connectionString, ssl: undefined };
  const files = {
    rootcert: params.get('sslrootcert') ?? undefined,
    cert: params.get('sslcert') ?? undefined,
    key: params.get('sslkey') ?? undefined,
  };
  // libpq's default mode is prefer; a certificate file alone asks for TLS too.
  const ssl = sslOptions(params.get('sslmode') ?? 'prefer', files);
  for (const p of SSL_PARAMS) params.delete(p);
  const rest = params.toString();
  return { connectionString: connectionString.slice(0, q) + (rest ? `?${rest}` : ''), ssl };
}

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
 * Resolution order (DESIGN.md): `--db URL`, `DATABASE_URL`, libpq `PG*` variables,
 * the config file's `database.url`, else the embedded server.
 */
export function resolveTarget(input: {
  flag?: string | undefined;
  env: Readonly<Record<string, string | undefined>>;
  configUrl?: string | undefined;
}): DbTarget {
  if (input.flag) return { kind: 'url', url: input.flag, source: '--db' };
  const envUrl = input.env['DATABASE_URL'];
  if (envUrl) return { kind: 'url', url: envUrl, source: 'DATABASE_URL' };
  if (LIBPQ_VARS.some((v) => input.env[v])) return { kind: 'libpq', source: 'PG* variables' };
  if (input.configUrl) return { kind: 'url', url: input.configUrl, source: 'config' };
  return { kind: 'embedded' };
}

/** Replaces the password of a connection URL (and any `password=` parameter) with `****`. */
export function maskUrl(url: string): string {
  let out = url.replace(/(password=)[^&\s]*/gi, '$1****');
  try {
    const u = new URL(out);
    if (u.password) {
      u.password = '****';
      out = u.toString();
    }
  } catch {
    // Not a URL (e.g. a libpq keyword string): mask anything that looks like user:pass@.
    out = out.replace(/\/\/([^:/@\s]+):[^@\s]*@/, '//$1:****@');
  }
  return out;
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

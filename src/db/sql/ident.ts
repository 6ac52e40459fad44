const SAFE_IDENTIFIER = /^[a-z_][a-z0-9_]{0,62}$/;

/**
 * Quotes an SQL identifier after checking it against the allow-list shape (lower-case
 * letters, digits, underscore). Names come from the contract and validated config only;
 * anything else is a programming error, refused before it reaches SQL.
 */
export function ident(name: string): string {
  if (!SAFE_IDENTIFIER.test(name))
    throw new Error(`refusing unsafe SQL identifier ${JSON.stringify(name)}`);
  return `"${name}"`;
}

/** `"schema"."table"`. */
export function qualified(schema: string, table: string): string {
  return `${ident(schema)}.${ident(table)}`;
}

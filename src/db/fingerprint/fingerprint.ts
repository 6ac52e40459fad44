import type pg from 'pg';
import { formatMonth, type Month, monthStartLiteral, nextMonth } from '../../config/months.js';
import {
  DIGEST_SCHEME,
  type Digest,
  type DigestSource,
  digestOf,
  lookbackDigestSql,
  monthDigestSql,
  monthDigestsSql,
} from './digestSql.js';

/**
 * What a unit reads, part by part: a month of a source's rows, the last `n` rows before a
 * month (its look-back), or every month of a source (Track 3 reads whole tables; a digest
 * per month lets a dry run name the month that changed).
 */
export type InputPart =
  | { readonly kind: 'month'; readonly source: DigestSource; readonly month: Month }
  | {
      readonly kind: 'back';
      readonly source: DigestSource;
      readonly month: Month;
      readonly n: number;
    }
  | { readonly kind: 'months'; readonly source: DigestSource };

/** A unit's inputs: its parts, its track's code version, the settings that shape its output. */
export interface UnitInputs {
  readonly code: number;
  readonly settings: string;
  readonly parts: readonly InputPart[];
}

/**
 * A unit's fingerprint as recorded with its outcome (`unit_results.fingerprint`): the code
 * version and settings it ran with, and one `[rows, hash]` per part key. Part keys:
 * `source@YYYY-MM` (a month's rows), `source<YYYY-MM#n` (the n rows before that month).
 */
export interface Fingerprint {
  /** How its digests were computed (`DIGEST_SCHEME`); absent: scheme 1. */
  readonly digest?: number;
  readonly code: number;
  readonly settings: string;
  readonly parts: Readonly<Record<string, readonly [number, string]>>;
}

/** The key of a month's digest of a source. */
export function monthKey(source: string, month: string): string {
  return `${source}@${month}`;
}

/** The key of a look-back digest: the `n` rows of a source before `month`. */
export function backKey(source: string, month: string, n: number): string {
  return `${source}<${month}#${n}`;
}

/** Bounds of a month as literals of the source's time kind: [start, end). */
export function monthBoundsOf(src: DigestSource, m: Month): [string, string] {
  const lit = (x: Month) =>
    src.kind === 'naive' ? `${formatMonth(x)}-01 00:00:00` : monthStartLiteral(x);
  return [lit(m), lit(nextMonth(m))];
}

const pair = (d: Digest): readonly [number, string] => [d.rows, d.hash];
const NO_ROWS = [0, '0'] as const;

/** One digest query's `[rows, hash]`. */
async function hashPart(
  client: pg.ClientBase,
  sql: string,
  values: string[],
): Promise<readonly [number, string]> {
  return pair(digestOf((await client.query(sql, values)).rows[0]));
}

/** Digests by source and part key (`@YYYY-MM`, `<YYYY-MM#n`): `[rows, hash]`. */
export type DigestTable = ReadonlyMap<string, ReadonlyMap<string, readonly [number, string]>>;

type Kept = NonNullable<ReturnType<DigestTable['get']>>;

/** One part's digests keyed as recorded: the kept ones of its source when given, else hashed. */
async function partDigests(
  client: pg.ClientBase,
  p: InputPart,
  kept: Kept | undefined,
): Promise<Record<string, readonly [number, string]>> {
  if (p.kind === 'month') {
    const m = formatMonth(p.month);
    // The kept digests have every month with rows: a month they lack has none.
    const d = kept
      ? (kept.get(`@${m}`) ?? NO_ROWS)
      : await hashPart(client, monthDigestSql(p.source), monthBoundsOf(p.source, p.month));
    return { [monthKey(p.source.name, m)]: d };
  }
  if (p.kind === 'back') {
    const m = formatMonth(p.month);
    const d =
      kept?.get(`<${m}#${p.n}`) ??
      (await hashPart(client, lookbackDigestSql(p.source, p.n), [
        monthBoundsOf(p.source, p.month)[0],
      ]));
    return { [backKey(p.source.name, m, p.n)]: d };
  }
  const parts: Record<string, readonly [number, string]> = {};
  if (kept) {
    for (const [k, d] of kept)
      if (k.startsWith('@') && d[0] > 0) parts[monthKey(p.source.name, k.slice(1))] = d;
    return parts;
  }
  const r = await client.query<{ month: string; rows: string; hash: string }>(
    monthDigestsSql(p.source),
  );
  for (const row of r.rows) parts[monthKey(p.source.name, row.month)] = pair(digestOf(row));
  return parts;
}

/** How a unit's fingerprint takes its digests. */
export interface FingerprintOptions {
  /**
   * Digests kept by the plan (`keptDigestsNow`, read in the same snapshot) of sources
   * unchanged since they were hashed: taken instead of hashing those sources again.
   */
  readonly kept?: DigestTable;
}

/**
 * Computes a unit's fingerprint on `client`. Call it in the transaction (REPEATABLE READ)
 * in which the unit read its input, so that the fingerprint describes exactly the rows the
 * unit computed from. A source in `opts.kept` gives its kept digests (a look-back not kept
 * is computed); any other is hashed here.
 */
export async function computeFingerprint(
  client: pg.ClientBase,
  inputs: UnitInputs,
  opts: FingerprintOptions = {},
): Promise<Fingerprint> {
  const parts: Record<string, readonly [number, string]> = {};
  for (const p of inputs.parts)
    Object.assign(parts, await partDigests(client, p, opts.kept?.get(p.source.name)));
  return { digest: DIGEST_SCHEME, code: inputs.code, settings: inputs.settings, parts };
}

/**
 * Runs `read` in a `REPEATABLE READ READ ONLY` transaction and takes the unit's fingerprint
 * in the same snapshot: what it read and what it records describe the same rows, whatever
 * commits meanwhile.
 */
export async function readWithFingerprint<T>(
  client: pg.ClientBase,
  inputs: UnitInputs,
  read: (c: pg.ClientBase) => Promise<T>,
): Promise<{ value: T; fingerprint: Fingerprint }> {
  await client.query('BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY');
  try {
    const value = await read(client);
    const fingerprint = await computeFingerprint(client, inputs);
    await client.query('COMMIT');
    return { value, fingerprint };
  } catch (err) {
    await client.query('ROLLBACK').catch(() => {});
    throw err;
  }
}

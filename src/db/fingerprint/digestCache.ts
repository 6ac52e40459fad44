import type pg from 'pg';
import { formatMonth, type Month } from '../../config/months.js';
import { META_SCHEMA } from '../dataset.js';
import type { WithPgClient } from '../connection/pool.js';
import { qualified } from '../sql/ident.js';
import { readChangeMarks } from './changeMarks.js';
import { type DigestSource, digestOf, lookbackDigestSql, monthDigestsSql } from './digestSql.js';
import { type DigestTable, monthBoundsOf } from './fingerprint.js';

/** A source the plan needs digests of: its months, and its look-back rows before months. */
export interface SourceNeed {
  readonly source: DigestSource;
  readonly backs: ReadonlyArray<{ readonly month: Month; readonly n: number }>;
}

/** What refreshing the digests did: sources hashed again and why, sources reused. */
export interface DigestRefresh {
  readonly digests: DigestTable;
  readonly hashed: readonly string[];
  readonly reused: number;
  /** Sources with no statistics counters (views, foreign tables): hashed every time. */
  readonly uncounted: readonly string[];
}

const D = `${META_SCHEMA}.source_digests`;
const W = `${META_SCHEMA}.source_watermarks`;

type Part = [string, number, string];

/** Every digest of one source, in one snapshot: a read of the table, and its look-backs. */
async function hashSource(client: pg.ClientBase, need: SourceNeed): Promise<Part[]> {
  await client.query('BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY');
  try {
    const months = await client.query<{ month: string; rows: string; hash: string }>(
      monthDigestsSql(need.source),
    );
    const parts: Part[] = months.rows.map((r) => [`@${r.month}`, Number(r.rows), r.hash]);
    parts.push(...(await hashBacks(client, need.source, need.backs)));
    await client.query('COMMIT');
    return parts;
  } catch (err) {
    await client.query('ROLLBACK').catch(() => {});
    throw err;
  }
}

/** Look-back digests (index scans: the last n rows before each month). */
async function hashBacks(
  client: pg.ClientBase,
  source: DigestSource,
  backs: SourceNeed['backs'],
): Promise<Part[]> {
  const out: Part[] = [];
  for (const b of backs) {
    const r = await client.query(lookbackDigestSql(source, b.n), [
      monthBoundsOf(source, b.month)[0],
    ]);
    const d = digestOf(r.rows[0]);
    out.push([`<${formatMonth(b.month)}#${b.n}`, d.rows, d.hash]);
  }
  return out;
}

/** Stores a source's digests (all of them when `replace`) and, when given, its mark. */
async function store(
  client: pg.ClientBase,
  source: DigestSource,
  parts: Part[],
  mark: { replace: true; value: string | null } | undefined,
): Promise<void> {
  await client.query('BEGIN');
  try {
    if (mark) await client.query(`DELETE FROM ${D} WHERE source = $1`, [source.name]);
    await client.query(
      `INSERT INTO ${D} (source, part, rows, hash)
       SELECT $1, p, r, h::int8 FROM unnest($2::text[], $3::int8[], $4::text[]) AS u(p, r, h)
       ON CONFLICT (source, part) DO UPDATE SET rows = EXCLUDED.rows, hash = EXCLUDED.hash`,
      [source.name, parts.map((p) => p[0]), parts.map((p) => p[1]), parts.map((p) => p[2])],
    );
    if (mark)
      await client.query(
        `INSERT INTO ${W} (source, relation, mark) VALUES ($1, $2, $3)
         ON CONFLICT (source) DO UPDATE SET relation = $2, mark = $3, hashed_at = now()`,
        [source.name, qualified(source.schema, source.table), mark.value ?? ''],
      );
    await client.query('COMMIT');
  } catch (err) {
    await client.query('ROLLBACK').catch(() => {});
    throw err;
  }
}

/**
 * The current digests of every source the plan needs. A source whose change mark
 * (`readChangeMarks`, read before hashing) equals the one kept with its digests reuses
 * them, and only its look-backs not yet kept are computed (index scans); any other source
 * is hashed again in one read of its table. `always` hashes every source (`verify`: by
 * content, whatever the counters say) and keeps nothing. Call outside a transaction.
 */
export async function refreshDigests(
  client: pg.ClientBase,
  needs: readonly SourceNeed[],
  opts: { always?: boolean; hashWith?: HashSessions } = {},
): Promise<DigestRefresh> {
  const rels = [...new Set(needs.map((x) => qualified(x.source.schema, x.source.table)))];
  const marks = await readChangeMarks(client, rels);
  const markOf = (need: SourceNeed) =>
    marks.get(qualified(need.source.schema, need.source.table)) ?? null;
  const uncounted = needs.filter((n) => markOf(n) === null).map((n) => n.source.name);
  // By content (`verify`) reads nothing of ours: it may check a database never planned.
  if (opts.always) return byContent(client, needs, uncounted);
  const keptMark = await readKeptMarks(client, needs);
  const stale = needs.filter((need) => {
    const mark = markOf(need);
    return mark === null || keptMark.get(need.source.name) !== mark;
  });
  const hashed = stale.map((need) => need.source.name);
  // Each source hashed and kept on its own, in its own snapshot: on several sessions at
  // once when given (the marks were all read above, before any of their snapshots).
  // A source with no counters keeps an empty mark: it never equals a real one.
  await eachOn(client, opts.hashWith, stale, async (c, need) => {
    const parts = await hashSource(c, need);
    await store(c, need.source, parts, { replace: true, value: markOf(need) });
  });
  const digests = await readDigests(client, needs);
  const reused = needs.filter((n) => !hashed.includes(n.source.name));
  await completeBacks(client, reused, digests);
  return { digests, hashed, reused: reused.length, uncounted };
}

/** Sessions to hash sources on at once: a pool's, and how many at most. */
export interface HashSessions {
  readonly withPgClient: WithPgClient;
  readonly sessions: number;
}

/**
 * Runs `work` for each item, on `client` alone, or on up to `hashWith.sessions` sessions
 * of its pool at once (each takes the next item when it is free). A failure stops the
 * others from taking more and is thrown once they have ended.
 */
async function eachOn<T>(
  client: pg.ClientBase,
  hashWith: HashSessions | undefined,
  items: readonly T[],
  work: (c: pg.ClientBase, item: T) => Promise<void>,
): Promise<void> {
  const sessions = Math.min(items.length, Math.max(1, hashWith?.sessions ?? 1));
  if (!hashWith || sessions <= 1) {
    for (const item of items) await work(client, item);
    return;
  }
  let next = 0;
  let failed = false;
  const lane = (c: pg.ClientBase) => async () => {
    while (!failed && next < items.length) {
      const item = items[next++]!;
      try {
        await work(c, item);
      } catch (err) {
        failed = true;
        throw err;
      }
    }
  };
  const lanes = Array.from({ length: sessions }, () => hashWith.withPgClient((c) => lane(c)()));
  const ends = await Promise.allSettled(lanes);
  const failure = ends.find((e): e is PromiseRejectedResult => e.status === 'rejected');
  if (failure) throw failure.reason;
}

/** Every source hashed by content, nothing kept: the check writes nothing (`verify`). */
async function byContent(
  client: pg.ClientBase,
  needs: readonly SourceNeed[],
  uncounted: string[],
): Promise<DigestRefresh> {
  const digests = new Map<string, Map<string, readonly [number, string]>>();
  for (const need of needs) {
    const parts = await hashSource(client, need);
    digests.set(need.source.name, new Map(parts.map(([p, r, h]) => [p, [r, h]])));
  }
  return { digests, hashed: needs.map((n) => n.source.name), reused: 0, uncounted };
}

/** The change mark kept with each source's digests (none for a source never hashed). */
async function readKeptMarks(
  client: pg.ClientBase,
  needs: readonly SourceNeed[],
): Promise<Map<string, string>> {
  const kept = await client.query<{ source: string; mark: string }>(
    `SELECT source, mark FROM ${W} WHERE source = ANY($1)`,
    [needs.map((x) => x.source.name)],
  );
  return new Map(kept.rows.map((r) => [r.source, r.mark]));
}

/** The look-backs a reused source has no digest of yet (a new month's), computed and kept. */
async function completeBacks(
  client: pg.ClientBase,
  needs: readonly SourceNeed[],
  digests: Map<string, Map<string, readonly [number, string]>>,
): Promise<void> {
  for (const need of needs) {
    const have = digests.get(need.source.name)!;
    const missing = need.backs.filter((b) => !have.has(`<${formatMonth(b.month)}#${b.n}`));
    if (missing.length === 0) continue;
    const parts = await hashBacks(client, need.source, missing);
    await store(client, need.source, parts, undefined);
    for (const [k, r, h] of parts) have.set(k, [r, h]);
  }
}

/** The kept digests of the needed sources. */
async function readDigests(
  client: pg.ClientBase,
  needs: readonly SourceNeed[],
): Promise<Map<string, Map<string, readonly [number, string]>>> {
  const out = new Map(
    needs.map((x) => [x.source.name, new Map<string, readonly [number, string]>()]),
  );
  const r = await client.query<{ source: string; part: string; rows: string; hash: string }>(
    `SELECT source, part, rows, hash::text FROM ${D} WHERE source = ANY($1)`,
    [[...out.keys()]],
  );
  for (const x of r.rows) out.get(x.source)?.set(x.part, [Number(x.rows), x.hash]);
  return out;
}

/**
 * The kept digests a unit may take instead of hashing its sources again: those of each
 * source whose change mark now equals the one kept with its digests. Call it in the
 * unit's snapshot (REPEATABLE READ), before `computeFingerprint`. Why what it returns is
 * never newer than the rows the unit read (docs/freshness.md, "A unit reuses the plan's
 * digests"): the kept rows are read in the unit's snapshot, so they were committed — and
 * hashed — before it; a change committed between that hashing and the snapshot either
 * moved the mark (the source is hashed here) or has not reached the counters yet (the
 * unit records the older digests, and the next plan finds them stale: recomputed, never
 * missed).
 */
export async function keptDigestsNow(
  client: pg.ClientBase,
  sources: readonly DigestSource[],
): Promise<DigestTable> {
  const bySource = new Map(sources.map((s) => [s.name, s]));
  if (bySource.size === 0) return new Map();
  const rels = [...new Set(sources.map((s) => qualified(s.schema, s.table)))];
  const marks = await readChangeMarks(client, rels);
  const needs = [...bySource.values()].map((source) => ({ source, backs: [] }));
  const kept = await readKeptMarks(client, needs);
  const unchanged = needs.filter((n) => {
    const mark = marks.get(qualified(n.source.schema, n.source.table)) ?? null;
    // No counters (a view): never reused. An empty kept mark is such a source's.
    return mark !== null && mark !== '' && kept.get(n.source.name) === mark;
  });
  return unchanged.length === 0 ? new Map() : readDigests(client, unchanged);
}

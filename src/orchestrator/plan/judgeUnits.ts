import type pg from 'pg';
import type { Settings } from '../../config/load.js';
import { fingerprintFrom, sourceNeeds } from '../../db/fingerprint/currentFingerprint.js';
import {
  type DigestRefresh,
  type HashSessions,
  refreshDigests,
} from '../../db/fingerprint/digestCache.js';
import { DIGEST_SCHEME } from '../../db/fingerprint/digestSql.js';
import type { Fingerprint, UnitInputs } from '../../db/fingerprint/fingerprint.js';
import { judgeUnit, type Verdict } from '../../db/fingerprint/staleness.js';
import type { RecordedOutcome } from '../../db/ledger/results.js';
import { unitInputsResolver } from '../../tracks/freshness/unitInputs.js';
import type { TrackName } from '../../tracks/protocol/events.js';
import { missingOutputs } from './outputsPresent.js';

/** A unit to judge. */
interface UnitRef {
  readonly track: TrackName;
  readonly unit: string;
}

/** Every unit's verdict (keyed `track:unit`), and the fingerprints adoption gives. */
export interface Judgement {
  readonly verdicts: ReadonlyMap<string, Verdict>;
  /** Units recorded before fingerprints whose counts match the sources: adopted. */
  readonly adopt: ReadonlyArray<{ track: TrackName; unit: string; fingerprint: Fingerprint }>;
  readonly refresh: DigestRefresh;
  /** Each unit's fingerprint now (`verify` compares them with the recorded ones). */
  readonly current: ReadonlyMap<string, Fingerprint>;
}

/** What judging needs beside the units. */
export interface JudgeOptions {
  readonly settings: Settings;
  readonly outDir: string;
  readonly recompute: ReadonlySet<TrackName>;
  /** Hash every source whatever its counters say (`verify`). */
  readonly always?: boolean;
  /** Sessions to hash changed sources on at once (else the plan's own, one at a time). */
  readonly hashWith?: HashSessions;
}

/**
 * The rows an adopted outcome must have recorded: Track 1, its month's rows; Track 2, the
 * fewer of m1's and bqx's month rows (equal to the joined rows when every minute joins);
 * Track 3, the fewest rows of its five tables (the inner join's, when the keys agree).
 */
function sourceRows(track: TrackName, fp: Fingerprint): number {
  const rows = new Map<string, number>();
  for (const [k, [n]] of Object.entries(fp.parts)) {
    if (!k.includes('@')) continue;
    const source = k.slice(0, k.indexOf('@'));
    rows.set(source, (rows.get(source) ?? 0) + n);
  }
  const counts = [...rows.values()];
  if (track === 'bollinger') return counts[0] ?? 0;
  return counts.length === 0 ? 0 : Math.min(...counts);
}

/**
 * "Done once": the verdict without fingerprints (a plan not asked to follow the sources,
 * or a unit whose sources cannot be read: its run will report why).
 */
export function doneOnce(r: { status: string } | undefined, forced: boolean): Verdict {
  if (forced) return { stale: true, reason: 'forced (--recompute)' };
  if (!r) return { stale: true, reason: 'never run' };
  return r.status === 'failed'
    ? { stale: true, reason: 'failed' }
    : { stale: false, reason: 'done' };
}

/**
 * An outcome recorded before fingerprints existed: adopted (not stale) when its recorded
 * rows equal the sources' now, else stale with both counts.
 */
function adoption(track: UnitRef['track'], r: RecordedOutcome, now: Fingerprint): Verdict {
  const rows = sourceRows(track, now);
  const expected = r.status === 'empty' ? 0 : r.rows;
  if (rows === expected)
    return { stale: false, reason: 'adopted (recorded counts match the sources)' };
  const fmt = (n: number) => n.toLocaleString('en-US');
  return { stale: true, reason: `rows changed (${fmt(rows)} now, ${fmt(expected)} recorded)` };
}

/** A fingerprint with its hashes left out: what two digest schemes still share. */
function rowsOnly(fp: Fingerprint): Fingerprint {
  const parts = Object.fromEntries(
    Object.entries(fp.parts).map(([k, [n]]) => [k, [n, ''] as const]),
  );
  return { ...fp, parts };
}

/**
 * An outcome whose fingerprint has digests of an older scheme (their hashes cannot be
 * compared with today's): adopted when everything else is equal and every part's row
 * count is, else stale for the difference found.
 */
function olderDigests(
  status: RecordedOutcome['status'],
  before: Fingerprint,
  now: Fingerprint,
): Verdict {
  const v = judgeUnit({ status, fingerprint: rowsOnly(before) }, rowsOnly(now));
  return v.stale ? v : { stale: false, reason: 'adopted (older digests; row counts match)' };
}

/**
 * The verdict of an outcome judged by its counts: recorded before fingerprints, or with
 * digests of an older scheme. Undefined for any other (judged by its fingerprint).
 */
function adoptionVerdict(
  track: TrackName,
  r: RecordedOutcome,
  now: Fingerprint,
): Verdict | undefined {
  if (r.status === 'failed') return undefined;
  if (!r.fingerprint) return adoption(track, r, now);
  if (r.fingerprint.digest !== DIGEST_SCHEME) return olderDigests(r.status, r.fingerprint, now);
  return undefined;
}

/** One unit's verdict from its outcome and its fingerprint now; `adopt` when adopted. */
function verdictOf(
  track: TrackName,
  r: RecordedOutcome | undefined,
  now: Fingerprint,
  facts: { forced: boolean; outputMissing: boolean },
): { verdict: Verdict; adopt: boolean } {
  const v = r && !facts.forced && !facts.outputMissing ? adoptionVerdict(track, r, now) : undefined;
  if (v) return { verdict: v, adopt: !v.stale };
  const recorded = r && { status: r.status, fingerprint: r.fingerprint ?? null };
  return { verdict: judgeUnit(recorded, now, facts), adopt: false };
}

/**
 * Judges units against the sources now: digests refreshed (cheaply when the statistics
 * counters say nothing moved), outputs checked, each unit's verdict from `judgeUnit`. An
 * outcome recorded before fingerprints existed is adopted when its recorded rows equal the
 * sources' (docs/freshness.md, "Adopting a database"), else it is stale.
 */
export async function judgeUnits(
  client: pg.ClientBase,
  units: readonly UnitRef[],
  outcomes: ReadonlyMap<string, RecordedOutcome>,
  opts: JudgeOptions,
): Promise<Judgement> {
  const inputsOf = unitInputsResolver(client, opts.settings);
  const inputs = new Map<string, UnitInputs>();
  for (const u of units) {
    // A source table gone (the preflight names it): that unit is judged without inputs.
    const i = await inputsOf(u.track, u.unit).catch(() => undefined);
    if (i) inputs.set(`${u.track}:${u.unit}`, i);
  }
  const refresh = await refreshDigests(client, sourceNeeds([...inputs.values()]), {
    always: opts.always,
    ...(opts.hashWith ? { hashWith: opts.hashWith } : {}),
  });
  const done = units
    .map((u) => ({ ...u, r: outcomes.get(`${u.track}:${u.unit}`) }))
    .filter((u) => u.r?.status === 'done')
    .map((u) => ({ track: u.track, unit: u.unit, outDir: u.r?.outDir }));
  const missing = await missingOutputs(client, opts.settings, done, opts.outDir);
  const verdicts = new Map<string, Verdict>();
  const current = new Map<string, Fingerprint>();
  const adopt: Judgement['adopt'][number][] = [];
  for (const u of units) {
    const key = `${u.track}:${u.unit}`;
    const r = outcomes.get(key);
    const forced = opts.recompute.has(u.track);
    const unitInputs = inputs.get(key);
    if (!unitInputs) {
      verdicts.set(key, doneOnce(r, forced));
      continue;
    }
    const now = fingerprintFrom(unitInputs, refresh.digests);
    current.set(key, now);
    const v = verdictOf(u.track, r, now, { forced, outputMissing: missing.has(key) });
    if (v.adopt) adopt.push({ track: u.track, unit: u.unit, fingerprint: now });
    verdicts.set(key, v.verdict);
  }
  return { verdicts, adopt, refresh, current };
}

import { stat } from 'node:fs/promises';
import path from 'node:path';
import { asyncBufferFromFile, parquetMetadataAsync } from 'hyparquet';
import type pg from 'pg';
import type { Settings } from '../../config/load.js';
import { parseMonth } from '../../config/months.js';
import type { TableKey } from '../../config/schema.js';
import { partitionName } from '../../db/contract/physical.js';
import type { Scope } from '../../db/dataset.js';
import type { Verdict } from '../../db/fingerprint/staleness.js';
import { type RecordedOutcome, readOutcomes } from '../../db/ledger/results.js';
import { qualified } from '../../db/sql/ident.js';
import { bollingerSourceCount } from '../../tracks/bollinger/loadInput.js';
import { extractionCopySql } from '../../tracks/extraction/joinQuery.js';
import { loadJoinCatalog } from '../../tracks/extraction/loadCatalog.js';
import type { TrackName } from '../../tracks/protocol/events.js';
import { regressionSourceCount } from '../../tracks/regression/loadInput.js';
import { judgeUnits } from '../plan/judgeUnits.js';
import { enumerateUnits, TRACKS } from '../plan/planUnits.js';
import { QUEUE_SCHEMA } from '../queue/queueNames.js';

/** One thing wrong with a unit's output. */
export interface VerifyProblem {
  readonly track: TrackName;
  readonly unit: string;
  readonly problem: 'missing' | 'failed' | 'mismatch' | 'new-data' | 'stale';
  readonly detail: string;
}

/** A unit not finished yet: queued, running, or to be retried. Not a problem. */
export interface VerifyPending {
  readonly track: TrackName;
  readonly unit: string;
  readonly detail: string;
}

/** Data-quality counts a unit reported (values kept as they are, rows dropped). */
export interface VerifyQuality {
  readonly track: TrackName;
  readonly unit: string;
  readonly details: Readonly<Record<string, unknown>>;
}

export interface VerifyReport {
  /** No problem (pending units are not problems). */
  readonly ok: boolean;
  /** `verified`: every unit done or no data and checked; `pending`: nothing wrong, units still to come. */
  readonly verdict: 'verified' | 'pending' | 'problems';
  readonly checked: Record<TrackName, { units: number; done: number; noData: number }>;
  readonly problems: readonly VerifyProblem[];
  readonly pending: readonly VerifyPending[];
  readonly quality: readonly VerifyQuality[];
}

/** Units with a job still to run or running (keyed `track:unit`), and whether a run is live. */
export interface PendingWork {
  readonly jobs: ReadonlySet<string>;
  readonly liveRunUnits: ReadonlySet<string>;
}

/** The queue's jobs still to run or running, keyed `track:unit` (read-only; none without a queue). */
export async function pendingJobKeys(client: pg.ClientBase): Promise<Set<string>> {
  const exists = await client.query('SELECT to_regclass($1) AS t', [`${QUEUE_SCHEMA}.jobs`]);
  if (!exists.rows[0]?.t) return new Set();
  const r = await client.query<{ key: string }>(
    `SELECT key FROM ${QUEUE_SCHEMA}.jobs WHERE key IS NOT NULL AND attempts < max_attempts`,
  );
  return new Set(r.rows.map((x) => x.key));
}

const OUTPUTS: Record<'bollinger' | 'regression', readonly TableKey[]> = {
  bollinger: ['bollinger_bqx'],
  regression: ['reg_rate', 'reg_bqx'],
};

async function countRows(
  client: pg.ClientBase,
  schema: string,
  table: string,
): Promise<number | undefined> {
  const exists = await client.query('SELECT to_regclass($1) AS t', [qualified(schema, table)]);
  if (!exists.rows[0]?.t) return undefined;
  const r = await client.query(`SELECT count(*)::int AS n FROM ${qualified(schema, table)}`);
  return r.rows[0].n;
}

async function sourceRows(
  client: pg.ClientBase,
  settings: Settings,
  track: TrackName,
  unit: string,
) {
  const [pair, monthText] = unit.split('/') as [string, string | undefined];
  if (track === 'extraction') {
    const catalog = await loadJoinCatalog(client, settings, pair);
    const { select } = extractionCopySql(settings, pair, catalog);
    const r = await client.query(`SELECT count(*)::int AS n FROM (${select}) j`);
    return r.rows[0].n as number;
  }
  const month = parseMonth(monthText ?? '')!;
  return track === 'bollinger'
    ? bollingerSourceCount(client, settings, pair, month)
    : regressionSourceCount(client, settings, pair, month);
}

/** Rows recorded in a Parquet file's footer (hyparquet reads only the footer). */
async function parquetRows(file: string): Promise<number | undefined> {
  try {
    await stat(file);
  } catch {
    return undefined;
  }
  const meta = await parquetMetadataAsync(await asyncBufferFromFile(file));
  return Number(meta.num_rows);
}

/** What checking one unit needs. */
interface UnitCheck {
  readonly client: pg.ClientBase;
  readonly settings: Settings;
  readonly outDir: string;
  readonly track: TrackName;
  readonly unit: string;
  readonly recorded: RecordedOutcome;
  /** Its fingerprint's verdict against the sources' content now. */
  readonly verdict: Verdict | undefined;
  readonly add: (problem: VerifyProblem['problem'], detail: string) => void;
}

/** A done unit's outputs: its Parquet file, or its month partitions, hold what it recorded. */
async function checkOutputs(u: UnitCheck): Promise<void> {
  const recorded = u.recorded.rows;
  if (u.track === 'extraction') {
    // Where the unit wrote, as it recorded it: verify may run from another directory.
    const file = path.join(u.recorded.outDir ?? u.outDir, `${u.unit}.parquet`);
    const n = await parquetRows(file);
    if (n === undefined) u.add('mismatch', `${file} does not exist`);
    else if (n !== recorded) u.add('mismatch', `${file} holds ${n} row(s), ${recorded} recorded`);
    return;
  }
  const [pair, monthText] = u.unit.split('/') as [string, string];
  for (const key of OUTPUTS[u.track]) {
    const part = partitionName(u.settings, key, pair, parseMonth(monthText)!);
    const n = await countRows(u.client, u.settings.schema, part);
    if (n === undefined) u.add('mismatch', `partition ${part} does not exist`);
    else if (n !== recorded)
      u.add('mismatch', `partition ${part} holds ${n} row(s), ${recorded} recorded`);
  }
}

/**
 * A finished unit: its inputs unchanged since it ran (by content: a value corrected in
 * place is `stale`), its recorded count the source's, its outputs there. Returns whether
 * it was done (else no data).
 */
async function checkFinished(u: UnitCheck): Promise<boolean> {
  // An output gone is reported by the output checks below, with its path.
  if (u.verdict?.stale && u.verdict.reason !== 'output missing')
    u.add('stale', `${u.verdict.reason} since it ran: the next run recomputes it`);
  const source = await sourceRows(u.client, u.settings, u.track, u.unit);
  if (u.recorded.status === 'empty') {
    if (source > 0) u.add('new-data', `recorded as no data, the source now has ${source} row(s)`);
    return false;
  }
  if (source !== u.recorded.rows)
    u.add('mismatch', `recorded ${u.recorded.rows} row(s), the source has ${source} now`);
  await checkOutputs(u);
  return true;
}

/**
 * Checks the outputs of every unit in scope, as the seed's "next steps" did by hand:
 * a finished unit's inputs have the fingerprint it recorded (hashed by content, whatever
 * the statistics counters say), a done month's partitions hold exactly the rows its source
 * has for that month (and the recorded count); a done pair's Parquet file exists and holds
 * the recorded and the source's row count; a no-data unit's source is still empty. Lists
 * missing and failed units.
 */
export async function verifyOutputs(
  client: pg.ClientBase,
  settings: Settings,
  scope: Scope,
  outDir: string,
  progress: (message: string) => void = () => {},
  work: PendingWork = { jobs: new Set(), liveRunUnits: new Set() },
): Promise<VerifyReport> {
  const byKey = await readOutcomes(client);
  const all = TRACKS.flatMap((t) => enumerateUnits(scope, t));
  progress(`hashing the sources of ${all.length} unit(s)`);
  const { verdicts } = await judgeUnits(client, all, byKey, {
    settings,
    outDir,
    recompute: new Set(),
    always: true,
  });
  const problems: VerifyProblem[] = [];
  const pending: VerifyPending[] = [];
  const quality: VerifyQuality[] = [];
  const checked = {} as VerifyReport['checked'];
  const lists = { problems, pending, quality };
  const base = { client, settings, outDir, work, byKey, verdicts, lists };
  for (const track of TRACKS) {
    const units = all.filter((u) => u.track === track);
    const c = { units: units.length, done: 0, noData: 0 };
    checked[track] = c;
    progress(`verifying ${track}: ${units.length} unit(s)`);
    for (const { unit } of units) {
      const ended = await verifyUnit(base, track, unit);
      if (ended === 'done') c.done++;
      else if (ended === 'noData') c.noData++;
    }
  }
  const verdict = problems.length > 0 ? 'problems' : pending.length > 0 ? 'pending' : 'verified';
  return { ok: problems.length === 0, verdict, checked, problems, pending, quality };
}

/** What one unit's check needs, and the lists it adds to. */
interface VerifyBase {
  readonly client: pg.ClientBase;
  readonly settings: Settings;
  readonly outDir: string;
  readonly work: PendingWork;
  readonly byKey: Awaited<ReturnType<typeof readOutcomes>>;
  readonly verdicts: Awaited<ReturnType<typeof judgeUnits>>['verdicts'];
  readonly lists: {
    problems: VerifyProblem[];
    pending: VerifyPending[];
    quality: VerifyQuality[];
  };
}

/**
 * Checks one unit: pending (queued, running, to be retried), never run, failed, or its
 * finished outputs. Returns how it ended when it ended done or with no data.
 */
async function verifyUnit(
  b: VerifyBase,
  track: TrackName,
  unit: string,
): Promise<'done' | 'noData' | undefined> {
  const key = `${track}:${unit}`;
  const r = b.byKey.get(key);
  const add = (problem: VerifyProblem['problem'], detail: string) =>
    b.lists.problems.push({ track, unit, problem, detail });
  // Queued, running or to be retried: its outputs are about to change; not a problem.
  if (b.work.jobs.has(key) || (!r && b.work.liveRunUnits.has(key))) {
    const detail = r ? `being run again (recorded ${r.status})` : 'queued';
    b.lists.pending.push({ track, unit, detail });
    return undefined;
  }
  if (!r) {
    add('missing', 'never run');
    return undefined;
  }
  if (r.details && Object.keys(r.details).length > 0)
    b.lists.quality.push({ track, unit, details: r.details });
  if (r.status === 'failed') {
    add('failed', r.error ?? 'failed');
    return undefined;
  }
  const { client, settings, outDir } = b;
  const verdict = b.verdicts.get(key);
  const u = { client, settings, outDir, track, unit, recorded: r, verdict, add };
  return (await checkFinished(u)) ? 'done' : 'noData';
}

/** `3 NaN/±Inf value(s) kept (spread_spike: 3)`, from a unit's recorded details. */
function describeQuality(d: Readonly<Record<string, unknown>>): string {
  return Object.entries(d)
    .map(([k, v]) =>
      typeof v === 'object' && v !== null
        ? `${k} ${Object.entries(v as Record<string, unknown>)
            .map(([c, n]) => `${c}: ${n}`)
            .join(', ')}`
        : `${k}: ${String(v)}`,
    )
    .join('; ');
}

/** The report as text lines. */
export function formatVerify(report: VerifyReport): string {
  const lines: string[] = [];
  for (const track of TRACKS) {
    const c = report.checked[track];
    lines.push(`${track.padEnd(11)} ${c.units} unit(s): ${c.done} done, ${c.noData} no data`);
  }
  for (const q of report.quality.slice(0, 50))
    lines.push(`  note: ${q.track} ${q.unit}: ${describeQuality(q.details)}`);
  if (report.pending.length > 0) {
    lines.push(`${report.pending.length} unit(s) pending:`);
    for (const p of report.pending.slice(0, 50)) lines.push(`  ${p.track} ${p.unit}: ${p.detail}`);
    if (report.pending.length > 50) lines.push(`  … and ${report.pending.length - 50} more`);
  }
  if (report.problems.length === 0)
    lines.push(
      report.pending.length === 0
        ? 'all outputs verified'
        : 'nothing wrong so far; run verify again once the pending units are done',
    );
  else {
    lines.push(`${report.problems.length} problem(s):`);
    for (const p of report.problems.slice(0, 200))
      lines.push(`  ${p.track} ${p.unit}: ${p.problem}: ${p.detail}`);
    if (report.problems.length > 200)
      lines.push(`  … and ${report.problems.length - 200} more (use --json)`);
  }
  return lines.join('\n');
}

// `npm run bench -- --scale N`: the whole pipeline at scale. Seeds N pairs × 12 months
// once (the `seed` preset's months and seed, into an embedded database of its own under
// .bench/), then times full `run --json --recompute` runs as child processes, sampling the
// machine once a second, and measures the database floor of the same units from a sample.
import { execa } from 'execa';
import { describeEta, type EtaPoint, etaAccuracy } from './etaAccuracy.js';
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { settingsFrom } from '../src/config/validate.js';
import { formatMonth, monthRange, nextMonth, parseMonth } from '../src/config/months.js';
import { openDatabase } from '../src/db/connection/open.js';
import { ALL_PAIRS } from '../src/config/pairs.js';
import { readDataset } from '../src/db/dataset.js';
import { analyzeWritten } from '../src/db/ddl/analyzeWritten.js';
import { parsePostmasterPid } from '../src/db/embedded/processes.js';
import { PRESETS } from '../src/tracks/seed/presets.js';
import { extractionCopySql } from '../src/tracks/extraction/joinQuery.js';
import { loadJoinCatalog } from '../src/tracks/extraction/loadCatalog.js';
import { copyOut, copyOutRegressionInput, dumpBinary, replaceWithCopy } from './floor.js';
import { type CpuSample, type CpuSummary, startSampler, summarize } from './sampler.js';
import { describeSettings, serverSettingsOf } from './serverSettings.js';
import { median, timed } from './stats.js';

/** What one timed step (the seed, a run) measured. */
export interface StepFigures {
  readonly wall_s: number;
  readonly cpu: CpuSummary;
  readonly wal_bytes: number;
  readonly wal_fpi: number;
  readonly temp_files: number;
  /** Autovacuum's vacuums and analyzes of the pipeline's tables (schema bqx)… */
  readonly autovacuum: number;
  readonly autoanalyze: number;
  /** …and of every other table (the queue, the ledger, the catalogs). */
  readonly autovacuum_other: number;
  readonly checkpoints_requested: number;
  readonly checkpoints_timed: number;
  readonly timeline: CpuSample[];
}

/** One timed run of the pipeline. */
export interface RunFigures extends StepFigures {
  readonly status: string;
  /** The ETA the run showed at 10 %, 25 %, … of its units, against the time it still took. */
  readonly eta: EtaPoint[];
  readonly units: Record<string, Record<string, number>>;
  readonly output_bytes: number;
  readonly wal_per_output_byte: number;
}

/** The database floor of the run's units, extrapolated from a sample of each kind. */
export interface FloorFigures {
  readonly sampled: Record<string, { units: string[]; median_ms: number }>;
  readonly counted: Record<string, number>;
  readonly total_core_s: number;
  readonly per_core_s: number;
}

export interface ScaleFigures {
  readonly server: Record<string, string>;
  readonly pairs: string[];
  readonly units_planned: number;
  readonly seed?: StepFigures & { per_pair_year_s: number };
  readonly runs: RunFigures[];
  readonly median: {
    wall_s: number;
    per_pair_s: number;
    idle_core_share: number;
    ours_short_share: number;
  };
  readonly floor: FloorFigures;
  readonly wall_over_floor: number;
  readonly analyze_at_end: { partitions: number; seconds: number };
}

const CLI = path.resolve('dist/src/cli/main.js');
const m = (s: string) => parseMonth(s)!;

/** Server-wide and database counters the steps are measured by. */
async function counters(q: (sql: string) => Promise<Record<string, unknown>>) {
  await q('SELECT pg_stat_clear_snapshot()');
  const r = await q(`SELECT pg_current_wal_lsn()::text AS lsn,
      (SELECT wal_fpi FROM pg_stat_wal)::float8 AS fpi,
      (SELECT temp_files FROM pg_stat_database WHERE datname = current_database())::float8 AS temp,
      (SELECT coalesce(sum(autovacuum_count), 0) FROM pg_stat_all_tables WHERE schemaname = 'bqx')::float8 AS av,
      (SELECT coalesce(sum(autoanalyze_count), 0) FROM pg_stat_all_tables WHERE schemaname = 'bqx')::float8 AS aa,
      (SELECT coalesce(sum(autovacuum_count + autoanalyze_count), 0) FROM pg_stat_all_tables WHERE schemaname <> 'bqx')::float8 AS other,
      (SELECT num_requested FROM pg_stat_checkpointer)::float8 AS creq,
      (SELECT num_timed FROM pg_stat_checkpointer)::float8 AS ctim`);
  return r as {
    lsn: string;
    fpi: number;
    temp: number;
    av: number;
    aa: number;
    other: number;
    creq: number;
    ctim: number;
  };
}

/** The plan's pairs: the first N of docs/spec/SCHEMA.md's 28. */
function scalePlan(n: number) {
  return { ...PRESETS.seed, pairs: ALL_PAIRS.slice(0, n) };
}

/**
 * Runs the scale bench. `dataDir` holds its own embedded cluster (reused across runs);
 * `runs` timed runs; `reseed` seeds again even when the dataset fits.
 */
export async function benchScale(o: {
  pairs: number;
  runs: number;
  dataDir: string;
  reseed: boolean;
  serverSettings: readonly string[];
  log: (line: string) => void;
}): Promise<ScaleFigures> {
  const plan = scalePlan(o.pairs);
  const db = await openDatabase({
    target: { kind: 'embedded' },
    dataDir: o.dataDir,
    serverSettings: o.serverSettings,
  });
  const q = async (sql: string) => (await db.pool.query(sql)).rows[0] ?? {};
  try {
    const server = await serverSettingsOf(db.pool, o.serverSettings);
    o.log(`scale: ${describeSettings(server)}`);
    const url = db.childUrl!;
    const state = JSON.parse(await readFile(path.join(o.dataDir, 'embedded.json'), 'utf8'));
    const postmaster = async () =>
      parsePostmasterPid(await readFile(path.join(state.clusterDir, 'postmaster.pid'), 'utf8'))!
        .pid;
    const serverPid = await postmaster();
    /** Runs a CLI command as a child, sampled; returns its figures and stdout. */
    const step = async (args: string[]) => {
      const before = await counters(q);
      // The URL (with its password) travels in the environment, never on a command line.
      const child = execa('node', [CLI, ...args], {
        reject: false,
        all: false,
        env: { DATABASE_URL: url },
      });
      const sampler = startSampler(() => [child.pid ?? 0, serverPid]);
      const wall = await timed(async () => {
        await child;
      });
      const timeline = await sampler.stop();
      const r = await child;
      if (r.exitCode !== 0)
        throw new Error(
          `bqx-monitor ${args.join(' ')} exited ${r.exitCode}: ${String(r.stderr).slice(-2000)}`,
        );
      const after = await counters(q);
      const wal = await q(`SELECT pg_wal_lsn_diff('${after.lsn}', '${before.lsn}')::float8 AS d`);
      const figures: StepFigures = {
        wall_s: wall / 1000,
        cpu: summarize(timeline),
        wal_bytes: Number(wal['d']),
        wal_fpi: after.fpi - before.fpi,
        temp_files: after.temp - before.temp,
        autovacuum: after.av - before.av,
        autoanalyze: after.aa - before.aa,
        autovacuum_other: after.other - before.other,
        checkpoints_requested: after.creq - before.creq,
        checkpoints_timed: after.ctim - before.ctim,
        timeline,
      };
      return { figures, stdout: String(r.stdout) };
    };

    // The dataset: reused when it holds the plan's pairs with the same months and seed.
    const client = await db.pool.connect();
    const dataset = await readDataset(client).finally(() => client.release());
    const fits =
      dataset?.seed === plan.seed &&
      formatMonth(dataset.regression.from) === formatMonth(plan.regression.from) &&
      formatMonth(dataset.regression.to) === formatMonth(plan.regression.to) &&
      plan.pairs.every((p) => dataset.pairs.includes(p));
    let seed: ScaleFigures['seed'];
    if (!fits || o.reseed) {
      o.log(`seeding ${plan.pairs.length} pairs × 12 months…`);
      const s = await step(['seed', '--preset', 'seed', '--pairs', plan.pairs.join(',')]);
      seed = { ...s.figures, per_pair_year_s: s.figures.wall_s / plan.pairs.length };
      o.log(`seeded in ${s.figures.wall_s.toFixed(1)} s`);
      await q('CHECKPOINT');
    }
    // A superset of pairs is narrowed to the plan's by a config file.
    const config = path.join(o.dataDir, 'scale-config.json');
    await writeFile(config, `${JSON.stringify({ pairs: plan.pairs })}\n`);
    const out = path.join(o.dataDir, 'out');
    await mkdir(out, { recursive: true });

    const runs: RunFigures[] = [];
    for (let i = 0; i < o.runs; i++) {
      o.log(`run ${i + 1}/${o.runs}: run --json --recompute over ${plan.pairs.length} pairs…`);
      const s = await step([
        '--data-dir',
        o.dataDir,
        '--out',
        out,
        '--config',
        config,
        'run',
        '--json',
        '--recompute',
      ]);
      const lines = s.stdout
        .split('\n')
        .filter((l) => l.startsWith('{'))
        .map((l) => JSON.parse(l) as { kind?: string; status?: string });
      const summary = lines.findLast((x) => x.kind === 'summary');
      const eta = etaAccuracy(lines);
      const ledger = await db.pool.query(
        `SELECT track, status, count(*)::int AS n,
                percentile_cont(0.5) WITHIN GROUP (ORDER BY ms)::float8 AS median_ms
           FROM bqx_monitor.unit_results
          WHERE split_part(unit, '/', 1) = ANY($1) GROUP BY 1, 2`,
        [plan.pairs],
      );
      const units: RunFigures['units'] = {};
      for (const row of ledger.rows) {
        const t = units[row.track] ?? {};
        units[row.track] = t;
        t[row.status] = row.n;
        t[`${row.status}_median_ms`] = Math.round(row.median_ms);
      }
      const parents = plan.pairs.flatMap((p) =>
        ['bollinger_bqx', 'reg_rate', 'reg_bqx'].map((k) => `${k}_${p}`),
      );
      const size = await db.pool.query(
        `SELECT coalesce(sum(pg_total_relation_size(c.oid)), 0)::float8 AS b
           FROM pg_class c JOIN pg_inherits i ON i.inhrelid = c.oid JOIN pg_class p ON p.oid = i.inhparent
           JOIN pg_namespace n ON n.oid = p.relnamespace
          WHERE n.nspname = 'bqx' AND p.relname = ANY($1)`,
        [parents],
      );
      const outputBytes = Number(size.rows[0]?.b ?? 0);
      runs.push({
        ...s.figures,
        status: summary?.status ?? 'no summary',
        eta,
        units,
        output_bytes: outputBytes,
        wal_per_output_byte: s.figures.wal_bytes / Math.max(1, outputBytes),
      });
      o.log(`  ${s.figures.wall_s.toFixed(1)} s, ${summary?.status ?? 'no summary'}`);
      o.log(`  ETA against the time left: ${describeEta(eta)}`);
    }

    const floor = await measureFloor(db, plan.pairs, runs.at(-1)?.units ?? {});
    const done = await db.pool.query(
      `SELECT track, unit FROM bqx_monitor.unit_results
        WHERE status = 'done' AND split_part(unit, '/', 1) = ANY($1)`,
      [plan.pairs],
    );
    const analyzeClient = await db.pool.connect();
    let partitions = 0;
    const analyzeMs = await timed(async () => {
      partitions = await analyzeWritten(analyzeClient, settingsFrom({}), done.rows);
    }).finally(() => analyzeClient.release());
    const walls = runs.map((r) => r.wall_s);
    const wall = median(walls);
    return {
      server,
      pairs: [...plan.pairs],
      units_planned:
        plan.pairs.length *
        (monthRange(plan.bollinger.from, plan.bollinger.to).length +
          monthRange(plan.regression.from, plan.regression.to).length +
          1),
      ...(seed ? { seed } : {}),
      runs,
      median: {
        wall_s: wall,
        per_pair_s: wall / plan.pairs.length,
        idle_core_share: median(runs.map((r) => r.cpu.idleCoreShare)),
        ours_short_share: median(runs.map((r) => r.cpu.oursShortShare)),
      },
      floor,
      wall_over_floor: wall / floor.per_core_s,
      analyze_at_end: { partitions, seconds: analyzeMs / 1000 },
    };
  } finally {
    await db.close();
  }
}

/**
 * The run's database floor: for a sample of each kind of unit, the binary COPY of its
 * input out and of its output back in (Tracks 1–2, as `npm run bench` measures a unit's
 * floor) or of its join out (Track 3); the median per kind times the units of that kind
 * with data; no-data units are taken as free. Sum over one core, and over all cores.
 */
async function measureFloor(
  db: Awaited<ReturnType<typeof openDatabase>>,
  pairs: readonly string[],
  units: RunFigures['units'],
): Promise<FloorFigures> {
  const months = ['2024-08', '2024-12', '2025-04'].map(m);
  const sample = [pairs[0]!, pairs[pairs.length - 1]!];
  const bounds = (x: ReturnType<typeof m>) =>
    [`${formatMonth(x)}-01`, `${formatMonth(nextMonth(x))}-01`] as const;
  const part = (key: string, pair: string, x: ReturnType<typeof m>) =>
    `bqx.${key}_${pair}_${formatMonth(x).replace('-', '_')}`;
  const result: FloorFigures['sampled'] = {};
  const monthFloor = async (track: 'bollinger' | 'regression') => {
    const ms: number[] = [];
    const names: string[] = [];
    for (const pair of new Set(sample))
      for (const x of months) {
        const [lo, hi] = bounds(x);
        const keys = track === 'bollinger' ? ['bollinger_bqx'] : ['reg_rate', 'reg_bqx'];
        ms.push(
          await db.withPgClient(async (c) => {
            const data = await Promise.all(
              keys.map(async (k) => ({
                table: part(k, pair, x),
                data: await dumpBinary(c, part(k, pair, x)),
              })),
            );
            return timed(async () => {
              if (track === 'bollinger')
                await copyOut(
                  c,
                  `SELECT ts_utc, w15_bqx_return FROM bqx.bqx_${pair} WHERE ts_utc >= '${lo} 00:00:00+00' AND ts_utc < '${hi} 00:00:00+00'`,
                );
              else await copyOutRegressionInput(c, pair, lo, hi);
              await replaceWithCopy(c, data);
            });
          }),
        );
        names.push(`${pair}/${formatMonth(x)}`);
      }
    result[track] = { units: names, median_ms: median(ms) };
  };
  await monthFloor('bollinger');
  await monthFloor('regression');
  const pair = pairs[0]!;
  const catalog = await db.withPgClient((c) => loadJoinCatalog(c, settingsFrom({}), pair));
  const { select } = extractionCopySql(settingsFrom({}), pair, catalog);
  const t3 = await db.withPgClient((c) => timed(() => copyOut(c, `${select} ORDER BY 1`)));
  result['extraction'] = { units: [pair], median_ms: t3 };
  const counted = {
    bollinger: units['bollinger']?.['done'] ?? 0,
    regression: units['regression']?.['done'] ?? 0,
    extraction: units['extraction']?.['done'] ?? 0,
  };
  const total =
    (counted.bollinger * result['bollinger']!.median_ms +
      counted.regression * result['regression']!.median_ms +
      counted.extraction * result['extraction']!.median_ms) /
    1000;
  return {
    sampled: result,
    counted,
    total_core_s: total,
    per_core_s: total / os.availableParallelism(),
  };
}

/** The scale bench's table, then its floor and analysis lines. */
export function printScale(f: ScaleFigures, write: (s: string) => void): void {
  const rows: string[][] = [];
  const fmt = (x: number, d = 1) => x.toFixed(d);
  const line = (
    label: string,
    s: StepFigures,
    extra: { perPair: number; walOut?: number; status: string },
  ) => [
    label,
    fmt(s.wall_s),
    fmt(extra.perPair),
    `${fmt(100 * s.cpu.idleCoreShare, 0)}%`,
    fmt(s.cpu.idleCoreSeconds, 0),
    fmt(s.cpu.oursMean, 2),
    `${fmt(100 * s.cpu.oursShortShare, 0)}%`,
    extra.walOut === undefined ? `${(s.wal_bytes / 1e6).toFixed(0)} MB` : fmt(extra.walOut, 3),
    String(s.temp_files),
    `${s.autovacuum}+${s.autoanalyze} (${s.autovacuum_other})`,
    `${s.checkpoints_requested}+${s.checkpoints_timed}`,
    `${fmt(s.cpu.peakRssMb, 0)} MB`,
    fmt(s.cpu.loadMean, 2),
    extra.status,
  ];
  if (f.seed) rows.push(line('seed', f.seed, { perPair: f.seed.per_pair_year_s, status: 'done' }));
  for (const [i, r] of f.runs.entries()) {
    rows.push(
      line(`run ${i + 1}`, r, {
        perPair: r.wall_s / f.pairs.length,
        walOut: r.wal_per_output_byte,
        status: r.status,
      }),
    );
  }
  const head = [
    'step',
    'wall s',
    's/pair',
    'idle-core time',
    'idle core-s',
    'our cores',
    'ours short',
    'WAL/out',
    'temp files',
    'autovac+anl (other)',
    'ckpt req+timed',
    'peak RSS',
    'load',
    'status',
  ];
  const widths = head.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i]!.length)));
  const out = (cells: string[]) => cells.map((c, i) => c.padStart(widths[i]!)).join('  ');
  write(`${out(head)}\n${widths.map((w) => '-'.repeat(w)).join('  ')}\n`);
  for (const r of rows) write(`${out(r)}\n`);
  const s = f.floor.sampled;
  write(`\nserver: ${describeSettings(f.server)}\n`);
  write(
    `\n${f.pairs.length} pairs, ${f.units_planned} units; median of ${f.runs.length} run(s): ${fmt(f.median.wall_s)} s, ${fmt(f.median.per_pair_s)} s per pair, ${fmt(100 * f.median.idle_core_share, 0)}% of the time with half a core or more idle (machine-wide), ${fmt(100 * f.median.ours_short_share, 0)}% with the run's processes using less than ${os.availableParallelism() - 0.5} cores\n`,
  );
  for (const [i, r] of f.runs.entries())
    write(
      `ETA of run ${i + 1} against the time it still took, at a share of its units: ${describeEta(r.eta)}\n`,
    );
  const work = (label: string, st: StepFigures) =>
    `${label} ${fmt(st.cpu.oursCoreSeconds, 0)} core-s (${fmt(st.cpu.oursCoreSeconds / f.pairs.length)} per pair), ${fmt(st.cpu.oursCoreSeconds / st.cpu.cores)} s if it had all ${st.cpu.cores} cores`;
  write(
    `CPU time of bqx-monitor's processes and its server's (the work, whatever else ran): ${[
      ...(f.seed ? [work('seed', f.seed)] : []),
      ...f.runs.map((r, i) => work(`run ${i + 1}`, r)),
    ].join('; ')}\n`,
  );
  write(
    `database floor, extrapolated from samples (bollinger ${s['bollinger']!.units.length} units: median ${fmt(s['bollinger']!.median_ms, 0)} ms; regression ${s['regression']!.units.length}: ${fmt(s['regression']!.median_ms, 0)} ms; extraction ${s['extraction']!.units.join(', ')}: ${fmt(s['extraction']!.median_ms, 0)} ms) × units with data (${f.floor.counted['bollinger']}, ${f.floor.counted['regression']}, ${f.floor.counted['extraction']}): ${fmt(f.floor.total_core_s)} s on one core, ${fmt(f.floor.per_core_s)} s over ${os.availableParallelism()} cores; wall / floor ${fmt(f.wall_over_floor, 2)}x\n`,
  );
  const last = f.runs.at(-1);
  if (last) {
    const u = (t: string) => {
      const x = last.units[t] ?? {};
      return `${t} ${x['done'] ?? 0} done (median ${x['done_median_ms'] ?? '-'} ms), ${x['empty'] ?? 0} no data, ${x['failed'] ?? 0} failed`;
    };
    write(`last run's units: ${['bollinger', 'regression', 'extraction'].map(u).join('; ')}\n`);
  }
  write(
    `ANALYZE of the ${f.analyze_at_end.partitions} written partitions at the end (analyzeWritten, which the run calls at its end and so is in its wall time; timed again here): ${fmt(f.analyze_at_end.seconds)} s\n`,
  );
}

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
import { formatMonth, monthRange } from '../src/config/months.js';
import { openDatabase } from '../src/db/connection/open.js';
import { ALL_PAIRS } from '../src/config/pairs.js';
import { readDataset } from '../src/db/dataset.js';
import { analyzeWritten } from '../src/db/ddl/analyzeWritten.js';
import { parsePostmasterPid } from '../src/db/embedded/processes.js';
import { PRESETS } from '../src/tracks/seed/presets.js';
import { type CpuSample, type CpuSummary, startSampler, summarize } from './sampler.js';
import { describeSettings, serverSettingsOf } from './serverSettings.js';
import { accountRun, printAccount, type RunAccount, type StoredEvent } from './accounting.js';
import { measureRunFloor, type RunFloor } from './floorRun.js';
import { cumulativeTicks, processTicks } from './processTicks.js';
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
  /** The floor of this run's units, measured right after it on the same server. */
  readonly floor?: RunFloor;
  /** Where the run's slot-seconds went (bench/accounting.ts). */
  readonly account?: RunAccount;
  /** CPU, core-seconds: the command and its workers, the workers alone, the server. */
  readonly cpu_split?: { total_s: number; workers_s: number; server_s: number };
}

/** The issue's ratios per run (each within one run) and their medians. */
export interface ScaleRatios {
  /** Run wall ÷ floor wall. */
  readonly wall_over_floor: number[];
  /** Run core-seconds (command, workers, server) ÷ (floor core-seconds + the tracks' compute). */
  readonly core_over_floor_compute: number[];
  /** Track 1: Σ unit times ÷ Σ unit floors. */
  readonly bollinger_unit_over_floor: number[];
  /** Idle slot-seconds while units ran, share of the run's slot-seconds. */
  readonly idle_share: number[];
  readonly median: Record<string, number>;
}

/** The ratios of each run, and their medians. */
function ratiosOf(runs: readonly RunFigures[]): ScaleRatios {
  const of = (f: (r: RunFigures) => number | undefined) =>
    runs.map(f).filter((x): x is number => x !== undefined && Number.isFinite(x));
  const line = (r: RunFigures, label: string) =>
    r.account?.lines.find((l) => l.label.startsWith(label));
  const r: Omit<ScaleRatios, 'median'> = {
    wall_over_floor: of((x) => x.floor && x.wall_s / x.floor.wall_s),
    core_over_floor_compute: of(
      (x) =>
        x.floor &&
        x.account &&
        x.cpu_split &&
        (x.cpu_split.total_s + x.cpu_split.server_s) /
          (x.floor.cpu_core_s + x.account.computeSeconds),
    ),
    bollinger_unit_over_floor: of((x) => {
      const t = (l: string) => line(x, l)?.byTrack?.['bollinger'] ?? 0;
      const floor = t('units: database floor');
      return floor > 0 ? (floor + t('units: the tracks') + t('units: above')) / floor : undefined;
    }),
    idle_share: of((x) => {
      const idle = line(x, 'idle slots')?.seconds;
      return idle === undefined || !x.account ? undefined : idle / x.account.totalSeconds;
    }),
  };
  return {
    ...r,
    median: Object.fromEntries(Object.entries(r).map(([k, v]) => [k, median(v)])),
  };
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
  readonly ratios: ScaleRatios;
  readonly analyze_at_end: { partitions: number; seconds: number };
}

const CLI = path.resolve('dist/src/cli/main.js');
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
      const cpu0 = {
        self: await processTicks(process.pid),
        server: await cumulativeTicks(serverPid),
      };
      // The supervisor's reaped children's time, polled until it exits: its workers' CPU.
      let workersCpu = 0;
      const poll = setInterval(() => {
        void processTicks(child.pid ?? 0).then((t) => {
          if (t) workersCpu = t[1];
        });
      }, 250);
      const wall = await timed(async () => {
        await child;
      }).finally(() => clearInterval(poll));
      const t1 = Date.now();
      const timeline = await sampler.stop();
      const self = await processTicks(process.pid);
      const cpu = {
        // This process's reaped children: the command and, through it, its workers.
        total_s: (self?.[1] ?? 0) - (cpu0.self?.[1] ?? 0),
        workers_s: workersCpu,
        server_s: (await cumulativeTicks(serverPid)) - cpu0.server,
      };
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
      return { figures, stdout: String(r.stdout), t0: t1 - wall, t1, cpu };
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
      // The floor of this run's units, on the same server, right after it.
      const done = await db.pool.query(
        `SELECT track, unit FROM bqx_monitor.unit_results
          WHERE status = 'done' AND split_part(unit, '/', 1) = ANY($1)`,
        [plan.pairs],
      );
      o.log('  measuring the floor of its units…');
      const floor = await measureRunFloor(db, done.rows, serverPid);
      const runId = (summary as { runId?: string } | undefined)?.runId;
      const stored = await db.pool.query(
        `SELECT event FROM bqx_monitor.run_events WHERE run_id = $1 ORDER BY seq`,
        [runId],
      );
      const account = accountRun({
        events: stored.rows.map((r) => r.event as StoredEvent),
        t0: s.t0,
        t1: s.t1,
        cores: os.availableParallelism(),
        floorMs: (track, unit) => floor.units[`${track} ${unit}`] ?? 0,
      });
      runs.push({ ...runs.pop()!, floor, account, cpu_split: s.cpu });
      o.log(
        `  ${s.figures.wall_s.toFixed(1)} s, ${summary?.status ?? 'no summary'}; floor ${floor.wall_s.toFixed(1)} s`,
      );
      o.log(`  ETA against the time left: ${describeEta(eta)}`);
    }

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
      ratios: ratiosOf(runs),
      analyze_at_end: { partitions, seconds: analyzeMs / 1000 },
    };
  } finally {
    await db.close();
  }
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
  for (const [i, r] of f.runs.entries()) {
    if (!r.account || !r.floor) continue;
    write(`\nrun ${i + 1}:\n`);
    printAccount(
      r.account,
      {
        pairs: f.pairs.length,
        floorWall: r.floor.wall_s,
        floorCpu: r.floor.cpu_core_s,
        floorByTrack: r.floor.by_track,
        ...(r.cpu_split ? { cpu: r.cpu_split } : {}),
      },
      write,
    );
  }
  const md = f.ratios.median;
  write(
    `\nmedians over ${f.runs.length} run(s), each a ratio within one run: run wall ÷ floor ${fmt(md['wall_over_floor']!, 2)}×; run core-s ÷ (floor + compute) ${fmt(md['core_over_floor_compute']!, 2)}×; Track 1 units ÷ their floor ${fmt(md['bollinger_unit_over_floor']!, 2)}×; idle slots ${fmt(100 * md['idle_share']!, 1)}%\n`,
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

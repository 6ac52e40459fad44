// `npm run bench`: seeds (or reuses) a benchmark dataset in an embedded PostgreSQL under
// .bench/, runs units of each track several times, and prints per-unit medians beside the
// database floor measured in the same run. Writes the table as JSON to .bench/results.json.
import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import { execa } from 'execa';
import os from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { settingsFrom } from '../src/config/validate.js';
import { formatMonth, nextMonth, parseMonth } from '../src/config/months.js';
import { openDatabase } from '../src/db/connection/open.js';
import { resolveTarget } from '../src/db/connection/target.js';
import { seedDataset } from '../src/tracks/seed/load.js';
import type { SeedPlan } from '../src/tracks/seed/presets.js';
import { runBollingerUnit } from '../src/tracks/bollinger/runUnit.js';
import { extractionCopySql } from '../src/tracks/extraction/joinQuery.js';
import { loadJoinCatalog } from '../src/tracks/extraction/loadCatalog.js';
import type { UnitContext } from '../src/tracks/io/unitContext.js';
import type { EventBody } from '../src/tracks/protocol/emit.js';
import { runRegressionUnit } from '../src/tracks/regression/runUnit.js';
import { migrateAll } from '../src/orchestrator/run/migrateAll.js';
import { workerMallocEnv } from '../src/orchestrator/supervisor/workerCommand.js';
import { copyOut, copyOutRegressionInput, dumpBinary, replaceWithCopy } from './floor.js';
import { benchDashboard, type DashboardCost } from './dashboardCost.js';
import { benchQueue } from './queueOverhead.js';
import { benchEta, printEta } from './etaRuns.js';
import { benchPlanCost, printPlanCost } from './planCost.js';
import { benchStartup, printStartup } from './startup.js';
import { benchScale, printScale } from './scale.js';
import { printSeedProfile, profileSeed } from './seedProfile.js';
import { describeSettings, serverSettingsOf } from './serverSettings.js';
import { median, repeat, timed } from './stats.js';

const { values: args } = parseArgs({
  options: {
    runs: { type: 'string' },
    scale: { type: 'string' },
    reseed: { type: 'boolean', default: false },
    // Server settings to compare, e.g. --pg wal_level=replica,max_wal_senders=10 (embedded only).
    pg: { type: 'string' },
    db: { type: 'string' },
    'data-dir': { type: 'string', default: '.bench/pg' },
    out: { type: 'string', default: '.bench/results.json' },
    large: { type: 'boolean', default: false },
    only: { type: 'string' },
  },
});
// --scale N: the whole pipeline over N pairs (bench/scale.ts), alone unless --only says more.
const SCALE = args.scale === undefined ? undefined : Number(args.scale);
if (SCALE !== undefined && !(Number.isInteger(SCALE) && SCALE >= 1 && SCALE <= 28)) {
  process.stderr.write('--scale: expected a number of pairs from 1 to 28\n');
  process.exit(2);
}
const PARTS = new Set(
  (args.only ?? (SCALE ? 'scale' : 'tracks,queue,dashboard,startup'))
    .split(',')
    .map((p) => p.trim()),
);
for (const p of PARTS) {
  if (
    !['tracks', 'queue', 'dashboard', 'startup', 'eta', 'scale', 'seed-profile', 'plan'].includes(p)
  ) {
    process.stderr.write(
      `--only ${p}: expected a comma list of tracks, queue, dashboard, startup, eta, scale, seed-profile, plan\n`,
    );
    process.exit(2);
  }
}
if (PARTS.has('scale') && SCALE === undefined) {
  process.stderr.write('--only scale needs --scale N\n');
  process.exit(2);
}
// A scale run takes minutes: one unless asked; the per-unit parts default to five.
const RUNS = Math.max(1, Number(args.runs ?? (PARTS.size === 1 && SCALE ? 1 : 5)));
const m = (s: string) => parseMonth(s)!;

/**
 * EURUSD over twelve months: ~370,000 bars (Track 3's per-pair size at the seed's scale),
 * ~31,000 a month (Tracks 1 and 2). GBPUSD over three months: the smaller pair of the
 * memory comparison.
 */
const BENCH_PLANS: Array<SeedPlan & { minBars: number }> = [
  {
    preset: 'bench',
    pairs: ['eurusd'],
    data: { from: m('2024-07'), to: m('2025-06') },
    bollinger: { from: m('2024-07'), to: m('2025-06') },
    regression: { from: m('2024-07'), to: m('2025-06') },
    seed: 1,
    minBars: 300_000,
  },
  {
    preset: 'bench',
    pairs: ['gbpusd'],
    data: { from: m('2024-07'), to: m('2024-09') },
    bollinger: { from: m('2024-07'), to: m('2024-09') },
    regression: { from: m('2024-07'), to: m('2024-09') },
    seed: 1,
    minBars: 80_000,
  },
  ...(args.large
    ? [
        {
          // --large: USDJPY over ten years, 3,756,960 bars: the 10x pair of the memory check.
          preset: 'bench',
          pairs: ['usdjpy'],
          data: { from: m('2015-07'), to: m('2025-06') },
          bollinger: { from: m('2015-07'), to: m('2025-06') },
          regression: { from: m('2015-07'), to: m('2025-06') },
          seed: 1,
          minBars: 3_000_000,
        },
      ]
    : []),
];
/** Peak RSS a Track 3 unit must stay under, whatever the pair's size. */
const RSS_BOUND_MB = 1024;
/** Units per Track 3 bench process: a worker runs its pairs one after another. */
const UNITS_PER_PROCESS = 3;
const UNIT_MONTH = m('2024-10');

interface Row {
  track: string;
  unit: string;
  rows: number;
  runs: number;
  median_ms: number;
  load_ms: number;
  compute_ms: number;
  write_ms: number;
  rows_per_s: number;
  floor_ms: number;
  ratio_to_floor: number;
  target_ms: number;
  peak_rss_mb?: number;
  file_mb?: number;
}

const settings = settingsFrom({});
const SERVER_SETTINGS = args.pg ? args.pg.split(',').map((x) => x.trim()) : [];
const db = await openDatabase({
  target: resolveTarget({ flag: args.db, env: {}, configUrl: undefined }),
  dataDir: path.resolve(args['data-dir']!),
  serverSettings: SERVER_SETTINGS,
});
// The per-unit parts and the start-up timings run on the bench's small seeded dataset.
const PER_UNIT = ['tracks', 'queue', 'dashboard', 'startup'].some((p) => PARTS.has(p));
try {
  // Units record their outcomes in bqx_monitor: a fresh bench database needs its schema.
  await migrateAll(db);
  for (const plan of PER_UNIT ? BENCH_PLANS : []) {
    const bars = await db.pool
      .query(`SELECT count(*)::int AS n FROM bqx.m1_${plan.pairs[0]}`)
      .then((r) => r.rows[0].n as number)
      .catch(() => 0);
    if (bars < plan.minBars) {
      process.stderr.write(`seeding the benchmark dataset: ${plan.pairs[0]} (once)…\n`);
      const seconds = await timed(() => db.withPgClient((c) => seedDataset(c, settings, plan)));
      process.stderr.write(`seeded in ${(seconds / 1000).toFixed(1)} s\n`);
    }
  }
  if (PER_UNIT) await db.pool.query('ANALYZE');
  // Parts not run this time keep their last figures in the file.
  const previous = await readFile(args.out!, 'utf8')
    .then((t) => JSON.parse(t) as Record<string, unknown>)
    .catch(() => ({}));
  const result: Record<string, unknown> = {
    ...previous,
    machine: { cpus: os.cpus().length, node: process.version },
    runs: RUNS,
    at: new Date().toISOString(),
  };
  if (PARTS.has('seed-profile')) {
    const profile = await db.withPgClient((c) => profileSeed(c));
    printSeedProfile(profile, (t) => process.stdout.write(t));
    result['seed_profile'] = {
      ...profile,
      server: await serverSettingsOf(db.pool, SERVER_SETTINGS),
      load: os.loadavg(),
    };
  }
  if (PER_UNIT) {
    const server = await serverSettingsOf(db.pool, SERVER_SETTINGS);
    process.stdout.write(`per-unit parts: ${describeSettings(server)}\n\n`);
    result['server'] = server;
  }
  if (PARTS.has('scale')) {
    const scale = await benchScale({
      pairs: SCALE!,
      runs: RUNS,
      dataDir: path.resolve('.bench/scale'),
      reseed: args.reseed === true,
      serverSettings: SERVER_SETTINGS,
      log: (l) => process.stderr.write(`${l}\n`),
    });
    printScale(scale, (t) => process.stdout.write(t));
    result['scale'] = { ...scale, at: new Date().toISOString(), load_at_end: os.loadavg() };
  }
  if (PARTS.has('tracks')) {
    const rows = await benchTracks();
    printTable(rows);
    const large = rows
      .filter((r) => r.track === 'extraction')
      .reduce<Row | undefined>((a, r) => (a && a.rows >= r.rows ? a : r), undefined);
    const memory = {
      bound_mb: RSS_BOUND_MB,
      peak_rss_mb: large?.peak_rss_mb,
      ok: (large?.peak_rss_mb ?? Infinity) <= RSS_BOUND_MB,
    };
    process.stdout.write(
      `\nTrack 3 memory check: peak RSS ${memory.peak_rss_mb?.toFixed(0)} MB for ${large?.rows} rows, bound ${RSS_BOUND_MB} MB: ${memory.ok ? 'ok' : 'EXCEEDED'}\n`,
    );
    Object.assign(result, { rows, memory });
  }
  if (PARTS.has('startup')) {
    const rows = await benchStartup({
      cli: fileURLToPath(new URL('../src/cli/main.js', import.meta.url)),
      root: fileURLToPath(new URL('../..', import.meta.url)),
      dbUrl: db.childUrl!,
      runs: RUNS,
    });
    printStartup(rows);
    result['startup'] = { load: os.loadavg(), rows };
  }
  if (PARTS.has('eta')) {
    const runs = await benchEta();
    printEta(runs, (t) => process.stdout.write(t));
    result['eta'] = { load: os.loadavg(), runs };
  }
  if (PARTS.has('plan')) {
    const plan = await benchPlanCost(RUNS, (l) => process.stderr.write(`${l}\n`));
    printPlanCost(plan, (t) => process.stdout.write(t));
    result['plan'] = { ...plan, load: os.loadavg() };
  }
  if (PARTS.has('queue')) {
    const queue = await benchQueue(db.childUrl!, RUNS);
    process.stdout.write(
      `\nqueue (graphile-worker): ${queue.units} units, overhead ${queue.overhead_ms_per_unit.toFixed(1)} ms per unit between units (median of ${queue.runs} runs), ${queue.wall_ms_per_unit.toFixed(1)} ms per no-data unit all told\n`,
    );
    result['queue'] = queue;
  }
  if (PARTS.has('dashboard')) {
    // One run of the pipeline under the dashboard per --runs (about 30 s each).
    const runs: DashboardCost[] = [];
    for (let i = 0; i < RUNS; i++) runs.push(await benchDashboard(db.childUrl!));
    const dashboard = {
      runs,
      cpu_percent_median: median(runs.map((r) => r.cpu_percent_median)),
      cpu_percent_mean_median: median(runs.map((r) => r.cpu_percent_mean)),
      rss_mb_max_median: median(runs.map((r) => r.rss_mb_max)),
      rss_mb_max: Math.max(...runs.map((r) => r.rss_mb_max)),
    };
    process.stdout.write(
      `\ndashboard process, ${RUNS} run(s) of ${runs.map((r) => r.seconds.toFixed(0)).join(', ')} s in tmux, sampled each second: CPU ${dashboard.cpu_percent_median.toFixed(1)}% of a core (median of the runs' medians; per run ${runs.map((r) => r.cpu_percent_median.toFixed(1)).join(', ')}); its CPU time ÷ wall after its start-up ${dashboard.cpu_percent_mean_median.toFixed(1)}% (median; per run ${runs.map((r) => r.cpu_percent_mean.toFixed(1)).join(', ')}), peak RSS ${dashboard.rss_mb_max_median.toFixed(0)} MB (median; highest ${dashboard.rss_mb_max.toFixed(0)} MB). Targets: ≤ 3% of a core, < 150 MB\n`,
    );
    result['dashboard'] = dashboard;
  }
  await mkdir(path.dirname(path.resolve(args.out!)), { recursive: true });
  await writeFile(args.out!, `${JSON.stringify(result, null, 2)}\n`);
  process.stdout.write(`\nwritten ${args.out}\n`);
} finally {
  await db.close();
}

/** Tracks 1 and 2 per unit, and Track 3 per pair, beside the database floor. */
async function benchTracks(): Promise<Row[]> {
  const rows: Row[] = [];
  const splits: Array<{ load: number; compute: number; write: number; ms: number; rows: number }> =
    [];
  const ctx: UnitContext = {
    withPgClient: db.withPgClient,
    settings,
    attempt: 1,
    worker: `${os.hostname()}:${process.pid}`,
    emit: (e: EventBody) => {
      if (e.type === 'unit_done' && e.split) splits.push({ ...e.split, ms: e.ms, rows: e.rows });
      if (e.type === 'unit_failed') throw new Error(`${e.unit} failed: ${e.message}`);
    },
  };
  const month = formatMonth(UNIT_MONTH);
  const [lo, hi] = [`${month}-01`, `${formatMonth(nextMonth(UNIT_MONTH))}-01`];

  for (const [track, run, outputs, inputSql, target] of [
    [
      'bollinger',
      runBollingerUnit,
      ['bollinger_bqx'],
      `SELECT ts_utc, w15_bqx_return FROM bqx.bqx_eurusd WHERE ts_utc >= '${lo} 00:00:00+00' AND ts_utc < '${hi} 00:00:00+00'`,
      300,
    ],
    [
      'regression',
      runRegressionUnit,
      ['reg_rate', 'reg_bqx'],
      // Each side of the join, as the unit reads them (copyOutRegressionInput).
      undefined,
      2000,
    ],
  ] as const) {
    splits.length = 0;
    await run(ctx, 'eurusd', UNIT_MONTH); // warm-up (JIT, caches)
    splits.length = 0;
    await repeat(RUNS, () => run(ctx, 'eurusd', UNIT_MONTH));
    const parts = outputs.map((o) => `bqx.${o}_eurusd_${month.replace('-', '_')}`);
    const floors = await repeat(RUNS, () =>
      db.withPgClient(async (c) => {
        const texts = await Promise.all(
          parts.map(async (t) => ({ table: t, data: await dumpBinary(c, t) })),
        );
        return timed(async () => {
          if (inputSql) await copyOut(c, inputSql);
          else await copyOutRegressionInput(c, 'eurusd', lo, hi);
          await replaceWithCopy(c, texts);
        });
      }),
    );
    const med = median(splits.map((s) => s.ms));
    const unitRows = splits[0]?.rows ?? 0;
    rows.push({
      track,
      unit: `eurusd/${month}`,
      rows: unitRows,
      runs: RUNS,
      median_ms: med,
      load_ms: median(splits.map((s) => s.load)),
      compute_ms: median(splits.map((s) => s.compute)),
      write_ms: median(splits.map((s) => s.write)),
      rows_per_s: unitRows / (med / 1000),
      floor_ms: median(floors),
      ratio_to_floor: med / median(floors),
      target_ms: target,
    });
  }
  rows.push(...(await benchExtraction()));
  return rows;
}

/**
 * Track 3: seconds per pair and peak RSS, beside the COPY-out floor. Each child process
 * runs the pair UNITS_PER_PROCESS times, like a worker going through its pairs: the first
 * unit of a process also starts the Parquet encoder thread (parquet-wasm compiles its code
 * and grows its memory), the later ones find it. Both are reported: "per pair" is the
 * median of the later units, "1st in process" the median of the first ones. The 10x pair
 * runs once, as the first unit of its process (a minute a run).
 */
async function benchExtraction(): Promise<Row[]> {
  const out = await mkdtemp(path.join(os.tmpdir(), 'bqx-bench-out-'));
  const child = path.join(path.dirname(fileURLToPath(import.meta.url)), 'extractOnce.js');
  const url = db.childUrl;
  if (!url) throw new Error('the extraction bench needs a database URL');
  const result: Row[] = [];
  for (const pair of ['eurusd', 'gbpusd', ...(args.large ? ['usdjpy'] : [])]) {
    const large = pair === 'usdjpy';
    const processes: Array<{
      units: Array<{ ms: number; rows: number; bytes: number }>;
      maxRssMb: number;
    }> = [];
    for (let i = 0; i < (large ? 1 : RUNS); i++) {
      const count = String(large ? 1 : UNITS_PER_PROCESS);
      // The same malloc settings as the supervisor's workers.
      const r = await execa('node', [child, url, pair, out, count], { env: workerMallocEnv() });
      processes.push(JSON.parse(r.stdout));
    }
    const catalog = await db.withPgClient((c) => loadJoinCatalog(c, settings, pair));
    const { select } = extractionCopySql(settings, pair, catalog);
    const floors = await repeat(large ? 1 : RUNS, () =>
      db.withPgClient((c) => timed(() => copyOut(c, `${select} ORDER BY 1`))),
    );
    const floor = median(floors);
    const first = processes.map((p) => p.units[0]!);
    const later = processes.flatMap((p) => p.units.slice(1));
    const rowsN = first[0]!.rows;
    const row = (unit: string, units: typeof first, target: number): Row => {
      const med = median(units.map((u) => u.ms));
      return {
        track: 'extraction',
        unit,
        rows: rowsN,
        runs: units.length,
        median_ms: med,
        load_ms: Number.NaN,
        compute_ms: Number.NaN,
        write_ms: Number.NaN,
        rows_per_s: rowsN / (med / 1000),
        floor_ms: floor,
        ratio_to_floor: med / floor,
        target_ms: target,
        peak_rss_mb: median(processes.map((p) => p.maxRssMb)),
        file_mb: first[0]!.bytes / 1e6,
      };
    };
    if (later.length > 0) result.push(row(pair, later, pair === 'eurusd' ? 8000 : Number.NaN));
    result.push(row(`${pair}, 1st in process`, first, Number.NaN));
  }
  await rm(out, { recursive: true, force: true });
  return result;
}

function printTable(rows: Row[]) {
  const head = [
    'track',
    'unit',
    'rows',
    'median',
    'load',
    'compute',
    'write',
    'rows/s',
    'db floor',
    'x floor',
    'target',
    'peak RSS',
  ];
  const ms = (x: number) => (Number.isNaN(x) ? '-' : `${x.toFixed(0)} ms`);
  const body = rows.map((r) => [
    r.track,
    r.unit,
    String(r.rows),
    ms(r.median_ms),
    ms(r.load_ms),
    ms(r.compute_ms),
    ms(r.write_ms),
    Math.round(r.rows_per_s).toLocaleString('en-US'),
    `${r.floor_ms.toFixed(0)} ms`,
    `${r.ratio_to_floor.toFixed(2)}x`,
    Number.isNaN(r.target_ms) ? '-' : `<= ${r.target_ms} ms`,
    r.peak_rss_mb === undefined ? '-' : `${r.peak_rss_mb.toFixed(0)} MB`,
  ]);
  const widths = head.map((h, i) => Math.max(h.length, ...body.map((b) => b[i]!.length)));
  const line = (cells: string[]) => cells.map((c, i) => c.padStart(widths[i]!)).join('  ');
  process.stdout.write(`${line(head)}\n${widths.map((w) => '-'.repeat(w)).join('  ')}\n`);
  for (const b of body) process.stdout.write(`${line(b)}\n`);
}

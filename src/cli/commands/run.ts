import type { Command } from 'commander';
import { readDataset, resolveScope } from '../../db/dataset.js';
import { readCatalog } from '../../db/preflight/catalog.js';
import { PRESETS } from '../../db/seed/presets.js';
import { attachJsonOutput } from '../../orchestrator/headless/jsonOutput.js';
import { attachLineOutput } from '../../orchestrator/headless/lineOutput.js';
import { prepareQueue } from '../../orchestrator/run/prepareQueue.js';
import { startRun } from '../../orchestrator/run/startRun.js';
import { loadDashboard } from '../../ui/loadDashboard.js';
import { workerCommand } from '../../orchestrator/supervisor/workerCommand.js';
import type { TrackName } from '../../tracks/protocol/events.js';
import { type GlobalOptions, openContext } from '../context.js';
import { interceptSignals } from '../shutdown.js';
import { EXIT, UserError } from '../userError.js';
import { formatDoctor, runDoctor } from './doctor.js';
import { seedWithProgress } from './seed.js';

interface RunFlags {
  json?: boolean;
  recompute?: string | boolean;
}

const TRACK_NAMES: readonly TrackName[] = ['bollinger', 'regression', 'extraction'];

function exitCodeOf(status: 'complete' | 'failed' | 'interrupted'): number {
  return status === 'complete'
    ? EXIT.ok
    : status === 'interrupted'
      ? EXIT.interrupted
      : EXIT.failed;
}

function recomputeSet(flag: string | boolean | undefined): Set<TrackName> {
  if (flag === undefined || flag === false) return new Set();
  if (flag === true || flag === 'all') return new Set(TRACK_NAMES);
  if ((TRACK_NAMES as readonly string[]).includes(flag)) return new Set([flag as TrackName]);
  throw new UserError(
    `--recompute ${JSON.stringify(flag)}: expected all, ${TRACK_NAMES.join(', ')}`,
  );
}

/**
 * `bqx-monitor [run]`: checks the database (on an empty embedded one, seeds the demo
 * first), plans every unit not yet done, runs the tracks' workers under the supervisor and
 * reports. Exit 0 when every unit is done or has no data, 1 when any failed, 2 for a
 * preflight or usage problem, 130 when interrupted.
 */
export function registerRun(program: Command): void {
  program
    .command('run', { isDefault: true })
    .description('check the database, then run the pipeline (default command)')
    .option('--json', 'headless: NDJSON events, snapshots and a summary on stdout')
    .option('--recompute [track]', 'run finished units again: all (default) or one track')
    .action(async (flags: RunFlags, cmd: Command) => {
      const g = cmd.optsWithGlobals<GlobalOptions>();
      const recompute = recomputeSet(flags.recompute);
      const json = flags.json === true;
      const say = (m: string) => process.stderr.write(`${m}\n`);
      let ctx = await openContext(g, say);
      if (ctx.db.embedded && !ctx.dataset) {
        const catalog = await ctx.db.withPgClient((c) => readCatalog(c, ctx.settings.schema));
        if (catalog.tables.size === 0) {
          say('the embedded database is empty: seeding the demo dataset');
          await seedWithProgress(ctx, PRESETS.demo);
          // The run now covers what was seeded (config still wins).
          const dataset = await ctx.db.withPgClient((c) => readDataset(c));
          ctx = { ...ctx, dataset, scope: resolveScope(ctx.settings, dataset) };
        }
      }
      const report = await runDoctor(ctx);
      const dashboard = !json && process.stdout.isTTY === true && process.stdin.isTTY === true;
      if (json) process.stdout.write(`${JSON.stringify({ kind: 'preflight', ...report })}\n`);
      else if (!report.ok || !dashboard) process.stdout.write(`${formatDoctor(report)}\n`);
      if (!report.ok) {
        process.exitCode = EXIT.usage;
        return;
      }
      const session = await startRun(ctx, {
        recompute,
        command: (track) =>
          workerCommand(track, { dbUrl: ctx.db.childUrl, config: g.config, outDir: ctx.outDir }),
      });
      if (dashboard) {
        const { renderDashboard } = await loadDashboard();
        let quit!: () => void;
        const quitting = new Promise<void>((r) => {
          quit = r;
        });
        const ui = renderDashboard(session, ctx.db.description, quit);
        // SIGTERM / SIGHUP (the SSH link went away): stop the run and close the dashboard.
        interceptSignals(() => {
          void session.stop().finally(quit);
        });
        const result = await session.done;
        // Stopped (q, or a signal): the dashboard closes; a finished run stays until q.
        if (result.status === 'interrupted') quit();
        await quitting;
        ui.unmount();
        process.stdout.write(
          `run ${session.runId} ${result.status}; event log: ${result.logFile}\n`,
        );
        process.exitCode = exitCodeOf(result.status);
        return;
      }
      interceptSignals(() => void session.stop());
      const out = json
        ? attachJsonOutput(session, { snapshotMs: ctx.settings.run.snapshotSeconds * 1000 })
        : attachLineOutput(session, { progressMs: 10_000 });
      if (!json && !process.stdout.isTTY) {
        say(
          'stdout is not a terminal: printing plain lines (use --json for machine-readable output)',
        );
      }
      const result = await session.done;
      out.finish(result);
      process.exitCode = exitCodeOf(result.status);
    });
}

/**
 * `bqx-monitor plan [--recompute [track]]`: enqueues every unit not yet done and prints
 * the plan, without running anything, for `worker` processes started by hand (e.g. on
 * other machines) to share.
 */
export function registerPlan(program: Command): void {
  program
    .command('plan')
    .description('enqueue the units not yet done, for workers started by hand')
    .option('--json', 'print JSON')
    .option('--recompute [track]', 'run finished units again: all (default) or one track')
    .action(async (flags: RunFlags, cmd: Command) => {
      const recompute = recomputeSet(flags.recompute);
      const ctx = await openContext(cmd.optsWithGlobals<GlobalOptions>());
      const plans = await prepareQueue(ctx, recompute);
      const rows = plans.map((p) => ({
        track: p.track,
        total: p.total,
        done: p.done,
        noData: p.empty,
        queued: p.todo.length,
      }));
      if (flags.json) process.stdout.write(`${JSON.stringify({ tracks: rows })}\n`);
      else
        for (const r of rows)
          process.stdout.write(
            `${r.track.padEnd(11)} ${r.total} unit(s): ${r.done} done, ${r.noData} no data, ${r.queued} queued\n`,
          );
      process.exitCode = EXIT.ok;
    });
}

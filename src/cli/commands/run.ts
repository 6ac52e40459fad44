import type { Command } from 'commander';
import { readDataset, resolveScope } from '../../db/dataset.js';
import { readCatalog } from '../../db/preflight/catalog.js';
import { PRESETS } from '../../db/seed/presets.js';
import { type GlobalOptions, openContext } from '../context.js';
import { EXIT } from '../userError.js';
import { formatDoctor, runDoctor } from './doctor.js';
import { seedWithProgress } from './seed.js';

/**
 * `bqx-monitor [run]`. On an empty embedded database it seeds the demo first. The
 * orchestrator and dashboard are not built yet: for now a run is the preflight.
 */
export function registerRun(program: Command): void {
  program
    .command('run', { isDefault: true })
    .description('check the database, then run the pipeline (default command)')
    .option('--json', 'headless: print JSON instead of the dashboard')
    .action(async (opts: { json?: boolean }, cmd: Command) => {
      const g = cmd.optsWithGlobals<GlobalOptions>();
      let ctx = await openContext(g, (m) => process.stderr.write(`${m}\n`));
      if (ctx.db.embedded && !ctx.dataset) {
        const catalog = await ctx.db.withPgClient((c) => readCatalog(c, ctx.settings.schema));
        if (catalog.tables.size === 0) {
          process.stderr.write('the embedded database is empty: seeding the demo dataset\n');
          await seedWithProgress(ctx, PRESETS.demo);
          // The run now covers what was seeded (config still wins).
          const dataset = await ctx.db.withPgClient((c) => readDataset(c));
          ctx = { ...ctx, dataset, scope: resolveScope(ctx.settings, dataset) };
        }
      }
      const report = await runDoctor(ctx);
      process.stdout.write(opts.json ? `${JSON.stringify(report)}\n` : `${formatDoctor(report)}\n`);
      if (!opts.json) {
        process.stdout.write(
          '\n(track execution is not part of this version yet: see README "Status")\n',
        );
      }
      process.exitCode = report.ok ? EXIT.ok : EXIT.usage;
    });
}

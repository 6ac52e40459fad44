import type { Command } from 'commander';
import { createOutputTables } from '../../db/ddl/outputs.js';
import { describeScopeLine } from '../../db/dataset.js';
import { type GlobalOptions, openContext } from '../context.js';
import { forTerminal } from '../../orchestrator/text/charset.js';

/** `bqx-monitor init-db`: creates the output parents and monthly partitions, idempotently. */
export async function initDbAction(_opts: unknown, cmd: Command): Promise<void> {
  const ctx = await openContext(cmd.optsWithGlobals<GlobalOptions>());
  const started = Date.now();
  process.stderr.write(forTerminal(`init-db: ${describeScopeLine(ctx.scope)}\n`));
  const { tables } = await ctx.db.withPgClient((c) =>
    createOutputTables(c, ctx.settings, ctx.scope, (pair, i) => {
      process.stderr.write(forTerminal(`  ${pair} (${i + 1}/${ctx.scope.pairs.length})\n`));
    }),
  );
  const seconds = ((Date.now() - started) / 1000).toFixed(1);
  process.stdout.write(forTerminal(`init-db: ${tables} tables ensured in ${seconds} s\n`));
}

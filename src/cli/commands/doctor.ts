import type { Command } from 'commander';
import { describeScopeLine } from '../../db/dataset.js';
import { readCatalog } from '../../db/preflight/catalog.js';
import { checkContract } from '../../db/preflight/check.js';
import { describeFinding, type Finding, isRunnable } from '../../db/preflight/findings.js';
import { readServerSettings, settingNotes } from '../../db/preflight/serverSettings.js';
import { glyphsFor } from '../../ui/charset.js';
import { type Context, type GlobalOptions, openContext } from '../context.js';
import { EXIT } from '../userError.js';

const ALL_TRACKS = ['bollinger', 'regression', 'extraction'] as const;

/** The preflight's result, as printed by `doctor --json`. */
export interface DoctorReport {
  readonly ok: boolean;
  readonly database: string;
  readonly server: string;
  readonly scope: string;
  readonly tablesChecked: number;
  readonly problems: Finding[];
  readonly notes: Finding[];
}

/** Runs the read-only preflight and returns the report. */
export async function runDoctor(ctx: Context): Promise<DoctorReport> {
  // Read-only by construction: the server refuses any write inside this transaction.
  const { catalog, server } = await ctx.db.withPgClient(async (c) => {
    await c.query('BEGIN TRANSACTION READ ONLY');
    try {
      return {
        catalog: await readCatalog(c, ctx.settings.schema),
        server: await readServerSettings(c),
      };
    } finally {
      await c.query('COMMIT');
    }
  });
  // Settings first among the notes: the partitions' notes can run to hundreds.
  const findings = [
    ...settingNotes(server, ctx.db.embedded),
    ...checkContract(catalog, ctx.settings, ctx.scope, ALL_TRACKS),
  ];
  return {
    ok: isRunnable(findings),
    database: ctx.db.description,
    server: `PostgreSQL ${catalog.serverVersion}`,
    scope: describeScopeLine(ctx.scope),
    tablesChecked: catalog.tables.size,
    problems: findings.filter((f) => f.severity === 'problem'),
    notes: findings.filter((f) => f.severity === 'note'),
  };
}

/**
 * One line per problem, except that a pair's missing tables without suggestions share a
 * line ("missing tables of audcad (7): m1_audcad, …"): every problem is still named.
 */
export function problemLines(problems: readonly Finding[]): string[] {
  const byPair = new Map<string, string[]>();
  const lines: Array<string | { pair: string }> = [];
  for (const f of problems) {
    if (f.kind === 'missing-table' && f.suggestions.length === 0) {
      const pair = f.table.slice(-6);
      if (!byPair.has(pair)) {
        byPair.set(pair, []);
        lines.push({ pair });
      }
      byPair.get(pair)!.push(f.table);
    } else {
      lines.push(describeFinding(f));
    }
  }
  return lines.map((l) => {
    if (typeof l === 'string') return l;
    const tables = byPair.get(l.pair)!;
    return tables.length === 1
      ? `missing table ${tables[0]}`
      : `missing tables of ${l.pair} (${tables.length}): ${tables.join(', ')}`;
  });
}

/** The human report: every problem at once, then the notes, then the verdict. */
export function formatDoctor(r: DoctorReport, glyphs = glyphsFor()): string {
  const lines = [
    'bqx-monitor doctor',
    `  database  ${r.database}`,
    `  server    ${r.server}`,
    `  scope     ${r.scope}`,
    '',
  ];
  if (r.problems.length > 0) {
    lines.push(`problems (${r.problems.length}):`);
    for (const line of problemLines(r.problems)) lines.push(`  ${glyphs.fail} ${line}`);
    lines.push('');
  }
  if (r.notes.length > 0) {
    lines.push(`notes (${r.notes.length}):`);
    for (const f of r.notes.slice(0, 20)) lines.push(`  ${glyphs.note} ${describeFinding(f)}`);
    if (r.notes.length > 20) lines.push(`  ${glyphs.note} … and ${r.notes.length - 20} more`);
    lines.push('');
  }
  lines.push(
    r.ok
      ? `${glyphs.ok} the database can run all three tracks`
      : `${glyphs.fail} ${r.problems.length} problem(s): fix them (or map the names in the config file) and run doctor again`,
  );
  return lines.join('\n');
}

/** `bqx-monitor doctor [--json]`: exit 0 when runnable, 2 otherwise. */
export function registerDoctor(program: Command): void {
  program
    .command('doctor')
    .description('check the database against the schema contract (read-only)')
    .option('--json', 'print the report as JSON')
    .action(async (opts: { json?: boolean }, cmd: Command) => {
      const report = await runDoctor(await openContext(cmd.optsWithGlobals<GlobalOptions>()));
      process.stdout.write(opts.json ? `${JSON.stringify(report)}\n` : `${formatDoctor(report)}\n`);
      process.exitCode = report.ok ? EXIT.ok : EXIT.usage;
    });
}

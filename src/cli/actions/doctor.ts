import type { Command } from 'commander';
import { type DoctorReport, runDoctor } from '../../db/preflight/doctor.js';
import { describeFinding, type Finding } from '../../db/preflight/findings.js';
import { glyphsFor } from '../../orchestrator/text/charset.js';
import { type GlobalOptions, openContext } from '../context.js';
import { EXIT } from '../../config/userError.js';
import { forTerminal } from '../../orchestrator/text/charset.js';
import { marks, paintFor } from '../../orchestrator/text/paint.js';

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
export function formatDoctor(
  r: DoctorReport,
  glyphs: { ok: string; fail: string; note: string } = marks(paintFor('stdout'), glyphsFor()),
): string {
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

export { type DoctorReport, runDoctor };

/** `bqx-monitor doctor [--json]`: exit 0 when runnable, 2 otherwise. */
export async function doctorAction(opts: { json?: boolean }, cmd: Command): Promise<void> {
  const report = await runDoctor(await openContext(cmd.optsWithGlobals<GlobalOptions>()));
  process.stdout.write(
    opts.json ? `${JSON.stringify(report)}\n` : forTerminal(`${formatDoctor(report)}\n`),
  );
  process.exitCode = report.ok ? EXIT.ok : EXIT.usage;
}

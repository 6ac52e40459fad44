import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import ts from 'typescript';
import { describe, expect, it } from 'vitest';

/** The limits of issue 22 for src/ (tests and bench may keep long table-driven functions). */
const MAX_FUNCTION_LINES = 120;
const LONG_FUNCTION_LINES = 60;
const MAX_LONG_FUNCTIONS = 8;
const MAX_FILE_LINES = 400;

/**
 * The numeric kernels, exempt from the count of functions over 60 lines and the only
 * functions in src/ that suppress biome's noExcessiveCognitiveComplexity: their hot loops
 * are kept flat for speed or exactness (docs/architecture.md, "Limits the linter keeps").
 */
const KERNELS: readonly string[] = [
  'db/copy/binaryColumns.ts encodeBinaryTuples',
  'db/copy/binaryDecoder.ts push',
  'tracks/kernels/exactDyadic.ts exactDot',
  'tracks/kernels/quadraticFit.ts fitWindows',
  'tracks/kernels/windowStats.ts rollingStatsInto',
];

const SRC = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../src');

/** Every module under src, as a path relative to src with `/` separators. */
function modules(dir = SRC): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) => {
    const full = path.join(dir, e.name);
    if (e.isDirectory()) return modules(full);
    return /\.tsx?$/.test(e.name) ? [path.relative(SRC, full).split(path.sep).join('/')] : [];
  });
}

interface Fn {
  /** `file name` (`orchestrator/state/estimate.ts estimateRun`), as in {@link KERNELS}. */
  readonly id: string;
  readonly line: number;
  readonly lines: number;
  /** Preceded by a `biome-ignore lint/complexity/noExcessiveCognitiveComplexity` comment. */
  readonly suppressed: boolean;
}

/** The name a function goes by: its own, its variable's, its property's, or `<anonymous>`. */
function nameOf(node: ts.Node): string {
  const own = (node as { name?: ts.Node }).name;
  if (own && (ts.isIdentifier(own) || ts.isStringLiteral(own))) return own.text;
  if (ts.isConstructorDeclaration(node)) return 'constructor';
  const parent = node.parent;
  if (ts.isVariableDeclaration(parent) || ts.isPropertyAssignment(parent)) {
    if (ts.isIdentifier(parent.name)) return parent.name.text;
  }
  if (ts.isCallExpression(parent) && ts.isVariableDeclaration(parent.parent)) {
    // `const X = memo(function …)`, `useCallback(() => …)`: the variable names it.
    const v = parent.parent;
    if (ts.isIdentifier(v.name)) return v.name.text;
  }
  return '<anonymous>';
}

/** Every function, method, arrow and accessor in `file`, with its length in lines. */
function functionsOf(file: string): Fn[] {
  const text = readFileSync(path.join(SRC, file), 'utf8');
  const source = ts.createSourceFile(file, text, ts.ScriptTarget.Latest, true);
  const out: Fn[] = [];
  const lineOf = (pos: number) => source.getLineAndCharacterOfPosition(pos).line + 1;
  const visit = (node: ts.Node): void => {
    if (ts.isFunctionLike(node) && (node as { body?: ts.Node }).body) {
      const start = lineOf(node.getStart(source));
      const leading = ts.getLeadingCommentRanges(text, node.getFullStart()) ?? [];
      const statement = ts.isVariableDeclaration(node.parent) ? node.parent.parent.parent : node;
      const stmtLeading = ts.getLeadingCommentRanges(text, statement.getFullStart()) ?? [];
      const suppressed = [...leading, ...stmtLeading].some((c) =>
        text
          .slice(c.pos, c.end)
          .includes('biome-ignore lint/complexity/noExcessiveCognitiveComplexity'),
      );
      out.push({
        id: `${file} ${nameOf(node)}`,
        line: start,
        lines: lineOf(node.getEnd()) - start + 1,
        suppressed,
      });
    }
    ts.forEachChild(node, visit);
  };
  visit(source);
  return out;
}

const files = modules();
/** Lines of a text as an editor numbers them (a final newline starts no new line). */
const lineCount = (text: string) => text.replace(/\n$/, '').split('\n').length;
const fileLines = new Map(
  files.map((f) => [f, lineCount(readFileSync(path.join(SRC, f), 'utf8'))]),
);
const functions = files.flatMap(functionsOf);
const show = (fns: readonly Fn[]) => fns.map((f) => `${f.id} (line ${f.line}): ${f.lines} lines`);

describe('the shape of src: short functions, short files', () => {
  it('measures every module and function (so the checks below cannot pass on nothing)', () => {
    expect(files.length).toBeGreaterThan(100);
    expect(functions.length).toBeGreaterThan(files.length);
    for (const kernel of KERNELS)
      expect(
        functions.map((f) => f.id),
        kernel,
      ).toContain(kernel);
  });

  it(`no function is over ${MAX_FUNCTION_LINES} lines`, () => {
    const over = functions.filter((f) => f.lines > MAX_FUNCTION_LINES);
    expect(show(over)).toEqual([]);
  });

  it(`at most ${MAX_LONG_FUNCTIONS} functions over ${LONG_FUNCTION_LINES} lines, kernels aside`, () => {
    const long = functions
      .filter((f) => f.lines > LONG_FUNCTION_LINES && !KERNELS.includes(f.id))
      .sort((a, b) => b.lines - a.lines);
    console.log(
      `${long.length} functions over ${LONG_FUNCTION_LINES} lines:\n${show(long).join('\n')}`,
    );
    expect(long.length, show(long).join('\n')).toBeLessThanOrEqual(MAX_LONG_FUNCTIONS);
  });

  it(`no file is over ${MAX_FILE_LINES} lines`, () => {
    const over = [...fileLines].filter(([, n]) => n > MAX_FILE_LINES).map(([f, n]) => `${f}: ${n}`);
    expect(over).toEqual([]);
  });

  it('only the listed kernels suppress the complexity rule', () => {
    const suppressed = functions.filter((f) => f.suppressed).map((f) => f.id);
    expect(suppressed.sort()).toEqual([...KERNELS].sort());
  });
});

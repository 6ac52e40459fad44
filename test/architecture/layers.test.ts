import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import ts from 'typescript';
import { describe, expect, it } from 'vitest';

/** The layers, lowest first: a module imports only from its own layer or lower ones. */
const LAYERS = ['config', 'db', 'tracks', 'orchestrator', 'ui', 'cli'] as const;

const SRC = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../src');

/** Every module under src, as a path relative to src (`db/sql/ident.ts`). */
function modules(dir = SRC): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) => {
    const full = path.join(dir, e.name);
    if (e.isDirectory()) return modules(full);
    return /\.tsx?$/.test(e.name) ? [path.relative(SRC, full)] : [];
  });
}

/**
 * The modules of src that `file` imports — static, type-only, re-exports and dynamic
 * `import()` alike — or, with `entries`, those it starts by path (`new URL('./x.js',
 * import.meta.url)`: a worker thread's or a child process's entry point).
 */
function importsOf(file: string, known: ReadonlySet<string>, entries = false): string[] {
  const text = readFileSync(path.join(SRC, file), 'utf8');
  const specs = entries
    ? [...text.matchAll(/new URL\(\s*['"](\.[^'"]+)['"]\s*,\s*import\.meta\.url/g)].map(
        (m) => m[1]!,
      )
    : ts.preProcessFile(text, true, true).importedFiles.map((f) => f.fileName);
  const out: string[] = [];
  for (const spec of specs) {
    if (!spec.startsWith('.')) continue;
    const target = path.normalize(path.join(path.dirname(file), spec));
    const candidates = [target.replace(/\.js$/, '.ts'), target.replace(/\.js$/, '.tsx')];
    const hit = candidates.find((c) => known.has(c));
    if (hit) out.push(hit);
  }
  return out;
}

const all = modules();
const known = new Set(all);
const graph = new Map(all.map((m) => [m, importsOf(m, known)]));
const started = new Map(all.map((m) => [m, importsOf(m, known, true)]));
const layerOf = (m: string) => LAYERS.indexOf(m.split(path.sep)[0] as (typeof LAYERS)[number]);

describe('the layers of src (config < db < tracks < orchestrator < ui < cli)', () => {
  it('reads the import graph (so the checks below cannot pass on an empty one)', () => {
    expect(all.length).toBeGreaterThan(100);
    expect(graph.get(path.join('cli', 'program.ts'))).toContain(
      path.join('config', 'userError.ts'),
    );
    for (const m of all) expect(layerOf(m), m).toBeGreaterThanOrEqual(0);
  });

  it('no module imports from (or starts an entry point of) a layer above its own', () => {
    const upward: string[] = [];
    for (const g of [graph, started])
      for (const [from, targets] of g)
        for (const to of targets) if (layerOf(to) > layerOf(from)) upward.push(`${from} -> ${to}`);
    expect(upward).toEqual([]);
  });

  // An entry point started by path is another thread or process: not an import.
  it('no cycle of imports between files', () => {
    const cycles: string[] = [];
    const state = new Map<string, 'open' | 'done'>();
    const stack: string[] = [];
    const visit = (m: string) => {
      state.set(m, 'open');
      stack.push(m);
      for (const t of graph.get(m) ?? []) {
        if (state.get(t) === 'open')
          cycles.push([...stack.slice(stack.indexOf(t)), t].join(' -> '));
        else if (!state.has(t)) visit(t);
      }
      stack.pop();
      state.set(m, 'done');
    };
    for (const m of all) if (!state.has(m)) visit(m);
    expect(cycles).toEqual([]);
  });
});

import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

/*
 * Every relative link of the README and of docs/ leads somewhere in a clone: to a file of
 * the repository, and with an anchor, to a heading of that file.
 */

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');

/** README.md and every Markdown file under docs/. */
function markdownFiles(): string[] {
  const out = [path.join(ROOT, 'README.md')];
  const walk = (dir: string) => {
    for (const name of readdirSync(dir)) {
      const p = path.join(dir, name);
      if (statSync(p).isDirectory()) walk(p);
      else if (name.endsWith('.md')) out.push(p);
    }
  };
  walk(path.join(ROOT, 'docs'));
  return out;
}

/** The targets of a Markdown file's inline links and images, outside code. */
function linkTargets(markdown: string): string[] {
  const prose = markdown.replace(/```[\s\S]*?```/g, '').replace(/`[^`\n]*`/g, '');
  return [...prose.matchAll(/\]\(([^)\s]+)(?:\s+"[^"]*")?\)/g)].map((m) => m[1]!);
}

/** GitHub's anchor of a heading: lower case, punctuation dropped, spaces as hyphens. */
function slug(heading: string): string {
  return heading
    .trim()
    .toLowerCase()
    .replace(/`/g, '')
    .replace(/[^\p{L}\p{N}\s_-]/gu, '')
    .replace(/\s/g, '-');
}

function anchorsOf(file: string): Set<string> {
  const text = readFileSync(file, 'utf8').replace(/```[\s\S]*?```/g, '');
  return new Set([...text.matchAll(/^#{1,6}\s+(.+)$/gm)].map((m) => slug(m[1]!)));
}

/** What is wrong with `target` as a link of `from`, or undefined when it leads somewhere. */
function brokenLink(from: string, target: string): string | undefined {
  if (/^[a-z][a-z0-9+.-]*:/i.test(target)) return undefined; // https:, mailto:
  const [file, anchor] = target.split('#', 2) as [string, string | undefined];
  const resolved = file === '' ? from : path.resolve(path.dirname(from), decodeURI(file));
  if (!resolved.startsWith(ROOT)) return `${target}: outside the repository`;
  if (!existsSync(resolved)) return `${target}: no such file`;
  if (anchor && resolved.endsWith('.md') && !anchorsOf(resolved).has(anchor))
    return `${target}: no heading #${anchor} in ${path.relative(ROOT, resolved)}`;
  return undefined;
}

describe('the documentation links', () => {
  it('finds links, images and anchors, and skips code', () => {
    const md =
      'see [a](docs/a.md#b-c) and ![i](x.png "t")\n```\n[no](code.md)\n```\n`[no](inline.md)`';
    expect(linkTargets(md)).toEqual(['docs/a.md#b-c', 'x.png']);
    expect(slug('The run and its views')).toBe('the-run-and-its-views');
    expect(slug('Operations and exit codes (in full)')).toBe('operations-and-exit-codes-in-full');
  });

  it('resolves every relative link of README.md and docs/ to a file and heading', () => {
    const files = markdownFiles();
    expect(files.length).toBeGreaterThan(5);
    const broken = files.flatMap((f) =>
      linkTargets(readFileSync(f, 'utf8'))
        .map((t) => brokenLink(f, t))
        .filter((b): b is string => b !== undefined)
        .map((b) => `${path.relative(ROOT, f)}: ${b}`),
    );
    expect(broken).toEqual([]);
  });

  it('reports a link to a file or heading that is not there', () => {
    const readme = path.join(ROOT, 'README.md');
    expect(brokenLink(readme, 'docs/no-such-page.md')).toMatch(/no such file/);
    expect(brokenLink(readme, 'docs/dashboard.md#no-such-heading')).toMatch(/no heading/);
    expect(brokenLink(readme, '../../shared/spec/SCHEMA.md')).toMatch(/outside|no such/);
    expect(brokenLink(readme, 'docs/dashboard.md#reports')).toBeUndefined();
  });
});

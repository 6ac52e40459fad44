import { describe, expect, it } from 'vitest';
import { glyphsFor } from '../../src/orchestrator/text/charset.js';
import { type FlowLine, field, flow, GAP } from '../../src/ui/flow.js';
import { scaledSparkline, truncate, wrapWords } from '../../src/ui/format.js';
import { budgetRows, MIN_EVENT_LINES } from '../../src/ui/layout.js';

/** A laid-out line as plain text. */
const lineText = (l: FlowLine) =>
  l.lead + l.fields.map((f) => f.map((p) => p.text).join('')).join(GAP);

const UTF8 = glyphsFor({ LANG: 'C.UTF-8' });
const ASCII = glyphsFor({ LANG: 'C' });

describe('fields in lines', () => {
  const fields = ['load 4.23 3.98 3.56', 'CPU 87%', 'mem 8.2/30.0 GB 27%', 'db conns 12/100'].map(
    (t) => field(t),
  );

  it('keeps every field whole, wrapping between fields', () => {
    for (const width of [30, 40, 60, 200]) {
      const lines = flow(fields, width, 'System  ', '        ').map(lineText);
      for (const l of lines) expect(l.length).toBeLessThanOrEqual(width);
      const shown = lines.map((l) => l.trim().replace(/^System\s+/, '')).join('  ');
      expect(shown).toBe(fields.map((f) => f[0]!.text).join('  '));
    }
    expect(flow(fields, 200, 'System  ', '        ')).toHaveLength(1);
    expect(flow(fields, 30, 'System  ', '        ').length).toBeGreaterThan(2);
  });

  it('gives a field wider than the line a line of its own', () => {
    const lines = flow([field('x'.repeat(50)), field('y')], 20, '', '').map(lineText);
    expect(lines).toEqual(['x'.repeat(50), 'y']);
  });
});

describe('rows of the dashboard', () => {
  it('gives one activity line per busy track, a few events, then the rest to both', () => {
    expect(budgetRows({ rows: 24, fixed: 15, wanted: [0, 3, 1] })).toEqual({
      activity: [0, 3, 1],
      events: 24 - 1 - 15 - 4,
    });
    // Short of rows: each busy track keeps one line, the events their minimum first.
    const tight = budgetRows({ rows: 24, fixed: 17, wanted: [4, 4, 4] });
    expect(tight.activity.every((a) => a >= 1)).toBe(true);
    expect(tight.events).toBe(MIN_EVENT_LINES);
    expect(tight.activity.reduce((a, b) => a + b, 0) + tight.events).toBe(24 - 1 - 17);
  });

  it('gives the events their first rows before any activity line when asked (a report)', () => {
    const b = budgetRows({ rows: 24, fixed: 17, wanted: [1, 1, 1], eventsFirst: 5 });
    expect(b.events).toBe(5);
    expect(b.activity.reduce((a, c) => a + c, 0)).toBe(24 - 1 - 17 - 5);
    const roomy = budgetRows({ rows: 50, fixed: 17, wanted: [1, 1, 1], eventsFirst: 5 });
    expect(roomy.activity).toEqual([1, 1, 1]);
    expect(roomy.events).toBe(50 - 1 - 17 - 3);
  });

  it('never plans more rows than the terminal has', () => {
    for (const rows of [5, 10, 24, 44])
      for (const fixed of [3, 12, 20]) {
        const b = budgetRows({ rows, fixed, wanted: [2, 5, 1], eventsFirst: rows % 7 });
        const used = fixed + b.events + b.activity.reduce((a, c) => a + c, 0);
        expect(used).toBeLessThanOrEqual(Math.max(fixed, rows - 1));
      }
  });
});

describe('the pace sparkline', () => {
  it('scales to the highest value and squeezes a long series into the width', () => {
    expect(scaledSparkline([0, 1, 2, 4], 10, UTF8)).toBe('▁▃▅█');
    const long = Array.from({ length: 64 }, (_, i) => (i < 32 ? 1 : 2));
    expect(scaledSparkline(long, 16, UTF8)).toBe('▅'.repeat(8) + '█'.repeat(8));
    expect(scaledSparkline([0, 0], 5, UTF8)).toBe('▁▁');
    expect(scaledSparkline([], 5, UTF8)).toBe('');
  });

  it('draws in ASCII in a non-UTF-8 locale', () => {
    expect(scaledSparkline([0, 1, 2, 4], 10, ASCII)).toMatch(/^[ -~]{4}$/);
  });
});

describe('shortening and wrapping text whole', () => {
  const g = glyphsFor({ LANG: 'C.UTF-8' });
  it.each([
    ['preflight: the database can run all three tracks (39 tables checked)', 40],
    ['regression: paused; extraction gets its slots', 24],
    ['Stopping the run: running units finish first', 30],
  ])('shortens %j to %i cells after a whole word', (text, width) => {
    const short = truncate(text, width, g);
    expect(short.length).toBeLessThanOrEqual(width);
    expect(short.endsWith(g.ellipsis)).toBe(true);
    const kept = short.slice(0, -g.ellipsis.length);
    expect(text.startsWith(kept)).toBe(true);
    // What it keeps ends where a word of the text ends.
    const prefixes = text.split(' ').map((_, i, w) =>
      w
        .slice(0, i + 1)
        .join(' ')
        .replace(/[\s,;:(]+$/, ''),
    );
    expect(prefixes).toContain(kept);
  });

  it.each([10, 17, 33])('wraps between words at %i cells, indenting what follows', (width) => {
    const text =
      'the database can run all three tracks (39 tables checked) averyveryverylongwordindeed';
    const lines = wrapWords(text, width, '  ');
    for (const l of lines) expect(l.length).toBeLessThanOrEqual(width);
    for (const l of lines.slice(1)) expect(l.startsWith('  ')).toBe(true);
    // Every word but the one longer than a line comes out whole.
    const words = lines.flatMap((l) => l.trim().split(' '));
    for (const w of text.split(' ').filter((w) => w.length <= width - 2))
      expect(words).toContain(w);
  });
});

import { describe, expect, it } from 'vitest';
import { LineSplitter, MAX_LINE } from '../../src/orchestrator/lineSplitter.js';
import { parseLine } from '../../src/orchestrator/parseLine.js';

const event = {
  v: 1,
  ts: '2026-11-24T20:00:00.000Z',
  host: 'h',
  pid: 7,
  track: 'bollinger',
  type: 'unit_start',
  unit: 'eurusd/2024-08',
  attempt: 1,
};

describe('splitting a child stdout into lines', () => {
  it('keeps a partial line until its end arrives', () => {
    const s = new LineSplitter();
    expect(s.push('{"a":')).toEqual([]);
    expect(s.push('1}\n{"b"')).toEqual(['{"a":1}']);
    expect(s.push(':2}\n\n')).toEqual(['{"b":2}', '']);
    expect(s.end()).toEqual([]);
  });

  it('strips CR of CRLF line ends', () => {
    expect(new LineSplitter().push('x\r\ny\r\n')).toEqual(['x', 'y']);
  });

  it('returns an unterminated last line when the stream ends', () => {
    const s = new LineSplitter();
    s.push('half a li');
    expect(s.end()).toEqual(['half a li']);
  });

  it('cuts a runaway line instead of holding it in memory', () => {
    const s = new LineSplitter();
    const lines = s.push('x'.repeat(MAX_LINE + 10));
    expect(lines).toHaveLength(1);
    expect(lines[0]!.length).toBe(MAX_LINE);
  });
});

describe('parsing a line of a worker', () => {
  it('accepts a valid protocol event', () => {
    const r = parseLine(JSON.stringify(event));
    expect(r).toEqual({ kind: 'event', event });
  });

  it.each([
    ['garbage', 'Traceback (most recent call last):', 'not JSON'],
    ['broken JSON', '{"v":1,', 'not JSON'],
    ['an empty line', '   ', 'empty line'],
  ])('turns %s into a log line', (_name, line, reason) => {
    expect(parseLine(line)).toMatchObject({ kind: 'log', reason });
  });

  it('turns JSON that is not a protocol event into a log line saying why', () => {
    const r = parseLine(JSON.stringify({ ...event, type: 'unit_done' }));
    expect(r.kind).toBe('log');
    if (r.kind === 'log') expect(r.reason).toMatch(/^not a protocol event \(rows: /);
    expect(parseLine(JSON.stringify({ ...event, v: 2 })).kind).toBe('log');
  });
});

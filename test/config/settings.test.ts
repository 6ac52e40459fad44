import { describe, expect, it } from 'vitest';
import { UserError } from '../../src/config/userError.js';
import { settingsFrom } from '../../src/config/validate.js';
import { formatMonth } from '../../src/config/months.js';
import { assertPair } from '../../src/db/contract/physical.js';

function errorOf(raw: unknown): string {
  try {
    settingsFrom(raw, 'my.json');
  } catch (err) {
    expect(err).toBeInstanceOf(UserError);
    return (err as Error).message;
  }
  throw new Error('expected a configuration error');
}

describe('configuration', () => {
  it('fills every default from an empty file', () => {
    const s = settingsFrom({});
    expect(s.schema).toBe('bqx');
    expect(s.tables.m1).toBe('m1_{pair}');
    expect(s.tables.reg_bqx).toBe('reg_bqx_{pair}');
    expect(s.bollingerInput).toBe('w15_bqx_return');
    expect(s.compression).toBe('zstd');
    expect(s.pairs).toBeUndefined();
  });

  it('maps a renamed column and table through config, not code', () => {
    const s = settingsFrom({ tables: { m1: 'bars_{pair}' }, columns: { m1: { time: 'ts' } } });
    expect(s.tables.m1).toBe('bars_{pair}');
    expect(s.columns.m1['time']).toBe('ts');
  });

  it('names the exact path of a bad pair and why', () => {
    const msg = errorOf({ pairs: ['eurusd', 'EURUSD'] });
    expect(msg).toContain('my.json: pairs[1]: must be six lower-case letters');
  });

  it('rejects a pair that is not one of the 28 majors', () => {
    expect(errorOf({ pairs: ['abcdef'] })).toContain('pairs[0]: is not one of the 28 major pairs');
  });

  it('rejects a month span written wrongly or backwards', () => {
    expect(errorOf({ months: { bollinger: { from: '2024-13', to: '2025-01' } } })).toContain(
      'months.bollinger.from: month 13 is out of range (01 to 12)',
    );
    expect(errorOf({ months: { bollinger: { from: '2024-7', to: '2025-01' } } })).toContain(
      'months.bollinger.from: expected a month written YYYY-MM',
    );
    expect(errorOf({ months: { regression: { from: '2025-02', to: '2025-01' } } })).toContain(
      '"from" must not be after "to"',
    );
  });

  it('rejects unknown keys and unsafe identifiers', () => {
    expect(errorOf({ colour: 'red' })).toMatch(/my\.json: \(top level\): Unrecognized key.*colour/);
    expect(errorOf({ columns: { m1: { time: 'ts; DROP TABLE x' } } })).toContain('columns.m1.time');
    expect(errorOf({ tables: { bqx: 'bqx_table' } })).toContain(
      'must be a lower-case table name containing {pair}',
    );
  });

  it('reports every problem at once', () => {
    const msg = errorOf({ pairs: ['x'], schema: 'Bad-Schema', extraction: { compression: 'lz4' } });
    expect(msg.split('\n').length).toBeGreaterThanOrEqual(4);
  });

  it('parses month spans into months', () => {
    const s = settingsFrom({ months: { bollinger: { from: '2024-01', to: '2025-12' } } });
    expect(formatMonth(s.months.bollinger!.from)).toBe('2024-01');
    expect(formatMonth(s.months.bollinger!.to)).toBe('2025-12');
  });
});

describe('pair names', () => {
  it.each([['EURUSD'], ['eur_usd'], ['eurusd; drop table x'], ['abcdef'], ['']])(
    'refuses %j before it reaches SQL',
    (name) => {
      expect(() => assertPair(name)).toThrow(/unknown pair/);
    },
  );

  it('accepts a major pair', () => {
    expect(assertPair('usdjpy')).toBe('usdjpy');
  });
});

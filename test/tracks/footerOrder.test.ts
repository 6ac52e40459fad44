import { describe, expect, it } from 'vitest';
import { orderKeyValueMetadata } from '../../src/tracks/extraction/footerOrder.js';

/** A little Thrift compact writer, enough to build FileMetaData-shaped footers. */
const varint = (n: number): number[] => {
  const out: number[] = [];
  let v = n;
  while (v >= 0x80) {
    out.push((v & 0x7f) | 0x80);
    v = Math.floor(v / 128);
  }
  out.push(v);
  return out;
};
const text = (s: string) => [...varint(Buffer.byteLength(s)), ...Buffer.from(s)];
const keyValue = ([k, v]: [string, string]) => [0x18, ...text(k), 0x18, ...text(v), 0x00];

/**
 * version, schema (one element), num_rows, row_groups (none), an unknown field 20 (long
 * field header; a bool, a map and a double inside), key_value_metadata (long header),
 * created_by.
 */
function footer(entries: Array<[string, string]>): Uint8Array {
  const listHeader =
    entries.length < 15 ? [(entries.length << 4) | 0x0c] : [0xfc, ...varint(entries.length)];
  const fields: number[][] = [
    [0x15, ...varint(4)], // 1: i32 2
    [0x19, 0x1c, 0x18, ...text('schema'), 0x00], // 2: list<struct> of one
    [0x16, ...varint(200)], // 3: i64 100
    [0x19, 0x0c], // 4: empty list<struct>
    [0x0c, ...varint(40)], // 20: struct {
    [0x11], //   1: bool true
    [0x1b, ...varint(2), 0x58, ...varint(2), ...text('a'), ...varint(4), ...text('b')], // 2: map
    [0x17, 0, 0, 0, 0, 0, 0, 0xf0, 0x3f, 0x00], //   3: double 1 }
    [0x09, ...varint(10), ...listHeader, ...entries.flatMap(keyValue)], // 5: list<KeyValue>
    [0x18, ...text('parquet-rs'), 0x00], // 6: binary, then the stop byte
  ];
  return Uint8Array.from(fields.flat());
}

const ENTRIES: Array<[string, string]> = [
  ['ARROW:schema', '/////w=='],
  ['tool', 'bqx-monitor 0.1.0'],
  ['created_at', '2026-12-01T22:00:00.000Z'],
  ['pair', 'eurusd'],
  ['row_count', '64680'],
];
const ORDER = ['pair', 'row_count', 'tool', 'created_at'];
const byKey = (keys: string[]) => keys.map((k) => ENTRIES.find(([key]) => key === k)!);

describe('orderKeyValueMetadata', () => {
  it('puts the given keys first, in order, then the others, changing nothing else', () => {
    const got = orderKeyValueMetadata(footer(ENTRIES), ORDER);
    expect(got).toEqual(footer(byKey([...ORDER, 'ARROW:schema'])));
  });

  it('orders keys it was not given by name, after the given ones', () => {
    const got = orderKeyValueMetadata(
      footer([
        ['b', '1'],
        ['pair', 'x'],
        ['a', '2'],
      ]),
      ['pair'],
    );
    expect(got).toEqual(
      footer([
        ['pair', 'x'],
        ['a', '2'],
        ['b', '1'],
      ]),
    );
  });

  it('reads a list of more than 14 entries (its long header)', () => {
    const many = Array.from({ length: 20 }, (_, i): [string, string] => [`k${19 - i}`, `${i}`]);
    const want = [...many].sort(([a], [b]) => (a < b ? -1 : 1));
    expect(orderKeyValueMetadata(footer(many), [])).toEqual(footer(want));
  });

  it('leaves a footer already in order, or without metadata, alone', () => {
    expect(orderKeyValueMetadata(footer(byKey([...ORDER, 'ARROW:schema'])), ORDER)).toBeUndefined();
    expect(orderKeyValueMetadata(footer([]), ORDER)).toBeUndefined();
  });

  it('refuses a footer cut short', () => {
    const whole = footer(ENTRIES);
    expect(() => orderKeyValueMetadata(whole.subarray(0, whole.length - 30), ORDER)).toThrow(
      /unexpected end/,
    );
  });
});

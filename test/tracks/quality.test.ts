import { describe, expect, it } from 'vitest';
import { describeCounts, unitQuality } from '../../src/tracks/io/quality.js';
import { unitQualitySchema } from '../../src/tracks/protocol/events.js';

describe('unit quality records', () => {
  it('keeps only the kinds and names that have counts', () => {
    expect(unitQuality({ overflow: {}, nonFinite: { a: 0 }, dropped: { x: 0 } })).toBeUndefined();
    const q = unitQuality({ overflow: { a: 2, b: 0 }, dropped: { null_timestamp: 1 } });
    expect(q).toEqual({ overflow: { a: 2 }, dropped: { null_timestamp: 1 } });
    expect(unitQualitySchema.parse(q)).toEqual(q);
  });

  it('names six columns in a warning and says how many more there are', () => {
    const counts = Object.fromEntries(Array.from({ length: 9 }, (_, i) => [`c${i}`, i + 1]));
    expect(describeCounts(counts)).toBe(
      'c0 (1), c1 (2), c2 (3), c3 (4), c4 (5), c5 (6) and 3 more',
    );
    expect(describeCounts({ a: 1 })).toBe('a (1)');
  });

  it('refuses a zero or fractional count at the protocol boundary', () => {
    expect(unitQualitySchema.safeParse({ overflow: { a: 0 } }).success).toBe(false);
    expect(unitQualitySchema.safeParse({ nonFinite: { a: 1.5 } }).success).toBe(false);
    expect(unitQualitySchema.safeParse({ other: {} }).success).toBe(false);
  });
});

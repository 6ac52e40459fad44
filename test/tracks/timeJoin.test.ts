import { describe, expect, it } from 'vitest';
import {
  firstPerTime,
  joinOnTime,
  sortByTime,
  type TimedRows,
  unmatchedTimes,
} from '../../src/tracks/io/timeJoin.js';

const rows = (times: number[], ...columns: number[][]): TimedRows => ({
  times: Float64Array.from(times),
  columns: columns.map((c) => Float64Array.from(c)),
});
const plain = (r: TimedRows) => ({ times: [...r.times], columns: r.columns.map((c) => [...c]) });

describe('joining time-ordered rows', () => {
  it('joins on equal times, in time order, skipping times either side lacks', () => {
    const joined = joinOnTime(
      rows([1, 2, 4, 5], [10, 20, 40, 50]),
      rows([2, 3, 4, 6], [0.2, 0.3, 0.4, 0.6]),
    );
    expect(plain(joined)).toEqual({
      times: [2, 4],
      columns: [
        [20, 40],
        [0.2, 0.4],
      ],
    });
  });

  it('gives one row per matching right row when the right side repeats a time', () => {
    const joined = joinOnTime(rows([1, 2], [10, 20]), rows([2, 2, 3], [7, 8, 9]));
    expect(plain(joined)).toEqual({
      times: [2, 2],
      columns: [
        [20, 20],
        [7, 8],
      ],
    });
  });

  it('joins nothing with an empty side', () => {
    expect(plain(joinOnTime(rows([], []), rows([1], [1])))).toEqual({
      times: [],
      columns: [[], []],
    });
  });

  it('sorts rows that came out of order, ties by the tiebreak, and leaves sorted rows as they are', () => {
    const shuffled = rows([3, 1, 2, 1], [30, 11, 20, 10]);
    const sorted = sortByTime(shuffled, Float64Array.from([0, 5, 0, 4]));
    expect(plain(sorted)).toEqual({ times: [1, 1, 2, 3], columns: [[10, 11, 20, 30]] });
    const already = rows([1, 2], [1, 2]);
    expect(sortByTime(already)).toBe(already);
  });

  it('keeps the row with the smallest key of each repeated time and counts the others', () => {
    const r = rows([1, 2, 2, 2, 3], [10, 21, 20, 22, 30]);
    const { rows: kept, dropped } = firstPerTime(r, Float64Array.from([0, 9, 3, 7, 1]));
    expect(plain(kept)).toEqual({ times: [1, 2, 3], columns: [[10, 20, 30]] });
    expect(dropped).toBe(2);
  });

  it('counts the times of each side that the other lacks', () => {
    const t = (xs: number[]) => Float64Array.from(xs);
    expect(unmatchedTimes(t([1, 2, 4, 5]), t([2, 3, 4, 6]))).toEqual({ left: 2, right: 2 });
    // A time repeated on one side is matched as many times as it occurs.
    expect(unmatchedTimes(t([1, 1, 2]), t([1, 3, 3]))).toEqual({ left: 1, right: 2 });
    expect(unmatchedTimes(t([]), t([7, 8]))).toEqual({ left: 0, right: 2 });
    expect(unmatchedTimes(t([1, 2]), t([1, 2]))).toEqual({ left: 0, right: 0 });
  });
});

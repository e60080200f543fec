import { describe, expect, it } from 'vitest';
import { Coverage, chooseBuckets, mergeIntervals, percentiles, splitByIntervals } from './series.js';
import { niceStep, timeStep } from './units.js';

describe('time buckets', () => {
  it('picks the finest round width that keeps the bucket count under the cap', () => {
    expect(chooseBuckets(2500, 120)).toEqual({ size: 50, count: 50 });
    expect(chooseBuckets(20 * 60_000, 120)).toEqual({ size: 10_000, count: 120 });
    expect(chooseBuckets(0, 120)).toEqual({ size: 50, count: 1 });
  });

  it('sums the time each interval covers per bucket, across whole and partial buckets', () => {
    const cov = new Coverage(100, 5);
    cov.add(50, 320); // 50 + 100 + 100 + 20
    cov.add(410, 460);
    cov.add(480, 900); // clipped at 500
    cov.add(-50, 10); // clipped at 0
    expect(Array.from(cov.finish())).toEqual([60, 100, 100, 20, 70]);
  });

  it('weights intervals', () => {
    const cov = new Coverage(10, 2);
    cov.add(0, 20, 0.5);
    expect(Array.from(cov.finish())).toEqual([5, 5]);
  });
});

describe('percentiles', () => {
  it('uses nearest rank', () => {
    const p = percentiles(Array.from({ length: 100 }, (_, i) => 100 - i))!;
    expect(p).toMatchObject({ count: 100, p50: 50, p90: 90, p99: 99, max: 100, mean: 50.5 });
    expect(percentiles([7])).toMatchObject({ p50: 7, p99: 7 });
    expect(percentiles([])).toBeUndefined();
  });
});

describe('intervals', () => {
  it('merges overlapping and touching intervals and drops empty ones', () => {
    expect(
      mergeIntervals([
        [5, 8],
        [0, 2],
        [2, 3],
        [7, 10],
        [12, 12],
      ]),
    ).toEqual([
      [0, 3],
      [5, 10],
    ]);
  });

  it('cuts a span into the pieces inside and outside sorted intervals', () => {
    const held: Array<[number, number]> = [
      [10, 20],
      [30, 40],
    ];
    expect(splitByIntervals(5, 35, held)).toEqual([
      [false, 5, 10],
      [true, 10, 20],
      [false, 20, 30],
      [true, 30, 35],
    ]);
    expect(splitByIntervals(12, 18, held)).toEqual([[true, 12, 18]]);
    expect(splitByIntervals(41, 50, held)).toEqual([[false, 41, 50]]);
    expect(splitByIntervals(5, 5, held)).toEqual([]);
  });
});

describe('axis steps', () => {
  it('steps values on 1, 2 or 5 times a power of ten, and times on round durations', () => {
    expect(niceStep(930, 4)).toBe(500);
    expect(timeStep(6140, 8)).toBe(1000);
  });
});

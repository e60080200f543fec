import { describe, expect, it } from 'vitest';
import { formatCount, formatDuration, formatPercent, formatRate, formatUsd, perMinute } from './index.js';

describe('formatDuration', () => {
  it.each([
    [0, '0 ms'],
    [340.4, '340 ms'],
    [999.6, '1 s'],
    [1000, '1 s'],
    [1500, '1.5 s'],
    [2949, '2.9 s'],
    [58_000, '58 s'],
    [59_960, '1m'],
    [120_000, '2m'],
    [245_000, '4m 05s'],
    [3_600_000, '1h'],
    [7_380_000, '2h 03m'],
    [Number.NaN, '–'],
  ])('%s ms reads %s', (ms, text) => {
    expect(formatDuration(ms)).toBe(text);
  });
});

describe('formatUsd', () => {
  it.each([
    [0, '$0'],
    [0.00004, '<$0.0001'],
    [0.00012345, '$0.00012'],
    [0.0042, '$0.0042'],
    [0.0123, '$0.01'],
    [0.47, '$0.47'],
    [12.345, '$12.35'],
    [1234.5, '$1,234.50'],
    [1_234_567.891, '$1,234,567.89'],
    [999.999, '$1,000.00'],
    [1.005, '$1.01'],
    [2.675, '$2.68'],
    [0.015, '$0.02'],
    [166.98499999999999, '$166.98'],
    [1e20 + 1, '$100,000,000,000,000,000,000.00'],
  ])('%s reads %s', (usd, text) => {
    expect(formatUsd(usd)).toBe(text);
  });
});

describe('counts, percentages and rates', () => {
  it('writes counts whole or compact', () => {
    expect(formatCount(1234.4)).toBe('1,234');
    expect(formatCount(-1_234_567)).toBe('-1,234,567');
    expect(formatCount(999.6)).toBe('1,000');
    expect(formatCount(100)).toBe('100');
    expect(formatCount(2.25)).toBe('2.3');
    expect(formatCount(12_345, true)).toBe('12.3k');
    expect(formatCount(4_560_000, true)).toBe('4.56M');
    expect(formatPercent(0.4213)).toBe('42.1%');
    expect(formatRate(5980, 6000, 'rpm')).toBe('5,980/6,000 rpm');
    expect(formatRate(1_234_567, undefined, 'tpm', true)).toBe('1.23M tpm');
  });

  it('never reads above the limit, even over a full burst at the start', () => {
    // 6,000 rpm is 100 a second; the bucket lets 100 go at once, then 100 a second.
    for (const spanMs of [0, 10, 500, 1000, 10_000, 60_000]) {
      const mostSent = 100 + (100 * spanMs) / 1000;
      expect(perMinute(mostSent, spanMs)).toBeLessThanOrEqual(6000);
    }
    expect(perMinute(6000, 60_000)).toBeCloseTo(5901.6, 1);
    expect(perMinute(0, 0)).toBe(0);
  });
});

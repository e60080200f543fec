import { describe, expect, it } from 'vitest';
import { parseDuration } from '../wire/index.js';
import { formatDuration, retryAfterMs, retryAfterSeconds } from './durations.js';

describe('retry-after values', () => {
  it('rounds the wait up to whole ms and whole seconds', () => {
    expect(retryAfterMs(750.0000000001)).toBe(750);
    expect(retryAfterMs(1500.2)).toBe(1501);
    expect(retryAfterMs(0.01)).toBe(1);
    expect(retryAfterSeconds(750)).toBe(1);
    expect(retryAfterSeconds(1000)).toBe(1);
    expect(retryAfterSeconds(1001)).toBe(2);
  });
});

describe('formatDuration', () => {
  it('writes durations the way OpenAI does', () => {
    expect(formatDuration(0)).toBe('0s');
    expect(formatDuration(0.2)).toBe('1ms');
    expect(formatDuration(20)).toBe('20ms');
    expect(formatDuration(1000)).toBe('1s');
    expect(formatDuration(1500)).toBe('1.5s');
    expect(formatDuration(12_345)).toBe('12.345s');
    expect(formatDuration(360_000)).toBe('6m0s');
    expect(formatDuration(3_723_000)).toBe('1h2m3s');
    expect(formatDuration(3_600_000)).toBe('1h0m0s');
  });

  it('reads them back', () => {
    for (const ms of [1, 20, 1000, 1500, 12_345, 360_000, 3_723_000, 3_600_000]) {
      expect(parseDuration(formatDuration(ms))).toBe(ms);
    }
    expect(parseDuration('6m0.5s')).toBe(360_500);
    expect(parseDuration('soon')).toBeUndefined();
    expect(parseDuration('')).toBeUndefined();
  });
});

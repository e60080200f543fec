import { describe, expect, it } from 'vitest';
import { parseDuration, readRateLimitHeaders } from './rate-headers.js';

describe('parseDuration', () => {
  it.each([
    ['20ms', 20],
    ['1s', 1000],
    ['1.5s', 1500],
    ['6m0s', 360_000],
    ['1h2m3s', 3_723_000],
    ['2', 2000],
    ['0s', 0],
  ])('%s → %d ms', (text, ms) => {
    expect(parseDuration(text)).toBe(ms);
  });

  it.each([
    ['', undefined],
    ['soon', undefined],
    ['5 minutes', undefined],
    [null, undefined],
  ])('%s is unreadable', (text, expected) => {
    expect(parseDuration(text)).toBe(expected);
  });
});

describe('readRateLimitHeaders', () => {
  it('reads limits, remaining and resets, skipping absent or garbled ones', () => {
    const headers = new Headers({
      'x-ratelimit-limit-requests': '600',
      'x-ratelimit-remaining-requests': '599',
      'x-ratelimit-reset-requests': '100ms',
      'x-ratelimit-limit-tokens': 'lots',
      'x-ratelimit-reset-tokens': '6m0s',
    });
    expect(readRateLimitHeaders(headers)).toEqual({
      limitRequests: 600,
      remainingRequests: 599,
      resetRequestsMs: 100,
      resetTokensMs: 360_000,
    });
  });
});

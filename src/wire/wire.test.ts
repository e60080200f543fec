import { describe, expect, it } from 'vitest';
import { formatDuration, parseDuration, readRateLimitHeaders, retryAfterMs } from './index.js';

const NOW = Date.parse('2025-06-01T12:00:00Z');

describe('parseDuration', () => {
  it.each([
    ['20ms', 20],
    ['1s', 1000],
    ['1.5s', 1500],
    ['1m30.5s', 90_500],
    ['6m0s', 360_000],
    ['1h2m3s', 3_723_000],
    ['7d', 604_800_000],
    ['1d12h', 129_600_000],
    ['500us', 0.5],
    ['2', 2000],
    ['0.25', 250],
    ['0s', 0],
    [' 7s ', 7000],
  ])('%s → %d ms', (text, ms) => {
    expect(parseDuration(text, NOW)).toBe(ms);
  });

  it.each([
    ['2025-06-01T12:00:40Z', 40_000],
    ['2025-06-01T12:00:00.250Z', 250],
    ['2025-06-01T14:00:01+02:00', 1000],
    ['2025-06-01T11:59:00Z', 0], // already past: no wait, never a negative one
  ])('the RFC 3339 timestamp %s is %d ms from now', (text, ms) => {
    expect(parseDuration(text, NOW)).toBe(ms);
  });

  it.each([
    ['', undefined],
    ['soon', undefined],
    ['5 minutes', undefined],
    ['1x', undefined],
    ['-1s', undefined],
    ['2025-13-45T99:99:99Z', undefined],
    [null, undefined],
  ])('%s is unreadable', (text, expected) => {
    expect(parseDuration(text, NOW)).toBe(expected);
  });

  it('reads back what formatDuration writes', () => {
    for (const ms of [1, 20, 1000, 1500, 12_345, 90_500, 360_000, 3_723_000]) {
      expect(parseDuration(formatDuration(ms))).toBe(ms);
    }
    expect(formatDuration(0.2)).toBe('1ms');
    expect(formatDuration(3_600_000)).toBe('1h0m0s');
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
    expect(readRateLimitHeaders(headers, NOW)).toEqual({
      limitRequests: 600,
      remainingRequests: 599,
      resetRequestsMs: 100,
      resetTokensMs: 360_000,
    });
  });

  it('reads remaining without limit (Azure), and resets written as timestamps', () => {
    const headers = new Headers({
      'x-ratelimit-remaining-tokens': '1200',
      'x-ratelimit-reset-tokens': '2025-06-01T12:00:01.5Z',
    });
    expect(readRateLimitHeaders(headers, NOW)).toEqual({ remainingTokens: 1200, resetTokensMs: 1500 });
  });

  it('gives one shared empty answer when there is nothing to read', () => {
    expect(readRateLimitHeaders(new Headers())).toBe(readRateLimitHeaders(new Headers({ a: '1' })));
    expect(readRateLimitHeaders(new Headers({ 'x-ratelimit-limit-requests': '' }))).toEqual({});
  });
});

describe('retryAfterMs', () => {
  it('honours retry-after-ms exactly, then retry-after in seconds or as an HTTP date', () => {
    expect(retryAfterMs(new Headers({ 'retry-after-ms': '1234.5', 'retry-after': '9' }))).toBe(1235);
    expect(retryAfterMs(new Headers({ 'retry-after': '3' }))).toBe(3000);
    const date = new Headers({ 'retry-after': 'Sun, 01 Jun 2025 12:00:05 GMT' });
    expect(retryAfterMs(date, NOW)).toBe(5000);
  });

  it('is not advice when only reset headers came, or nothing readable', () => {
    const resets = new Headers({ 'x-ratelimit-remaining-requests': '0', 'x-ratelimit-reset-requests': '1s' });
    expect(retryAfterMs(resets)).toBeUndefined();
    expect(retryAfterMs(new Headers({ 'retry-after': 'soon', 'retry-after-ms': '' }))).toBeUndefined();
    expect(retryAfterMs(undefined)).toBeUndefined();
  });

  it('bounds a wait no server means', () => {
    expect(retryAfterMs(new Headers({ 'retry-after': '86400' }))).toBe(600_000);
  });
});

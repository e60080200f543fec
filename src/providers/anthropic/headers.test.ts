import { describe, expect, it } from 'vitest';
import { readRateLimitHeaders } from '../../wire/index.js';
import { translateRateLimitHeaders } from './headers.js';

const NOW = Date.parse('2025-06-01T12:00:00Z');
const at = (ms: number) => new Date(NOW + ms).toISOString();

describe('translateRateLimitHeaders', () => {
  it('adds the x-ratelimit-* names the lane reads, keeping the originals and leaving the input alone', () => {
    const original = new Headers({
      'anthropic-ratelimit-requests-limit': '50',
      'anthropic-ratelimit-requests-remaining': '49',
      'anthropic-ratelimit-requests-reset': at(1500),
      'anthropic-ratelimit-tokens-limit': '90000',
      'anthropic-ratelimit-tokens-remaining': '88000',
      'anthropic-ratelimit-tokens-reset': '2025-06-01T12:00:40Z',
      'retry-after': '2',
    });
    const headers = translateRateLimitHeaders(original);
    expect(headers.get('x-ratelimit-reset-requests')).toBe(at(1500));
    expect(headers.get('anthropic-ratelimit-requests-reset')).toBe(at(1500));
    expect(headers.get('retry-after')).toBe('2');
    expect(readRateLimitHeaders(headers, NOW)).toEqual({
      limitRequests: 50,
      remainingRequests: 49,
      resetRequestsMs: 1500,
      limitTokens: 90000,
      remainingTokens: 88000,
      resetTokensMs: 40_000,
    });
    expect(original.has('x-ratelimit-limit-requests')).toBe(false);
  });

  it('reads a reset in the past as no wait', () => {
    const headers = translateRateLimitHeaders(
      new Headers({ 'anthropic-ratelimit-requests-reset': at(-3000) }),
    );
    expect(
      readRateLimitHeaders(new Headers([...headers, ['x-ratelimit-limit-requests', '5']]), NOW),
    ).toMatchObject({
      resetRequestsMs: 0,
    });
  });

  it('falls back to the tighter of the input and output token families', () => {
    const headers = translateRateLimitHeaders(
      new Headers({
        'anthropic-ratelimit-input-tokens-limit': '80000',
        'anthropic-ratelimit-input-tokens-remaining': '60000',
        'anthropic-ratelimit-input-tokens-reset': at(10_000),
        'anthropic-ratelimit-output-tokens-limit': '16000',
        'anthropic-ratelimit-output-tokens-remaining': '2000',
        'anthropic-ratelimit-output-tokens-reset': at(50_000),
      }),
    );
    expect(readRateLimitHeaders(headers, NOW)).toEqual({
      limitTokens: 16000,
      remainingTokens: 2000,
      resetTokensMs: 50_000,
    });
  });

  it('prefers the tokens family to input and output', () => {
    const headers = translateRateLimitHeaders(
      new Headers({
        'anthropic-ratelimit-tokens-limit': '100',
        'anthropic-ratelimit-tokens-remaining': '90',
        'anthropic-ratelimit-output-tokens-limit': '16000',
        'anthropic-ratelimit-output-tokens-remaining': '0',
      }),
    );
    expect(readRateLimitHeaders(headers, NOW)).toEqual({ limitTokens: 100, remainingTokens: 90 });
  });

  it('keeps x-ratelimit-* headers the server already sent, and garbled values stay unread', () => {
    const headers = translateRateLimitHeaders(
      new Headers({
        'anthropic-ratelimit-requests-limit': 'lots',
        'anthropic-ratelimit-requests-remaining': '-1',
        'anthropic-ratelimit-requests-reset': 'soon',
        'anthropic-ratelimit-tokens-limit': '1000',
        'x-ratelimit-limit-tokens': '777',
      }),
    );
    expect(readRateLimitHeaders(headers, NOW)).toEqual({ limitTokens: 777 });
  });

  it('returns the headers as they are when there are no Anthropic ones', () => {
    const original = new Headers({ 'request-id': 'req_1' });
    expect(translateRateLimitHeaders(original)).toBe(original);
  });
});

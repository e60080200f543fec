import { describe, expect, it } from 'vitest';
import { readRateLimitHeaders } from '../wire/index.js';
import { translateRateLimitHeaders } from './anthropic-headers.js';

const NOW = Date.parse('2025-06-01T12:00:00Z');
const at = (ms: number) => new Date(NOW + ms).toISOString();

describe('translateRateLimitHeaders', () => {
  it('adds x-ratelimit-* equivalents the scheduler reads, keeping the originals', () => {
    const original = new Headers({
      'anthropic-ratelimit-requests-limit': '50',
      'anthropic-ratelimit-requests-remaining': '49',
      'anthropic-ratelimit-requests-reset': at(1500),
      'anthropic-ratelimit-tokens-limit': '90000',
      'anthropic-ratelimit-tokens-remaining': '88000',
      'anthropic-ratelimit-tokens-reset': '2025-06-01T12:00:40Z',
      'retry-after': '2',
    });
    const headers = translateRateLimitHeaders(original, NOW);
    expect(headers.get('x-ratelimit-limit-requests')).toBe('50');
    expect(headers.get('x-ratelimit-remaining-requests')).toBe('49');
    expect(headers.get('x-ratelimit-reset-requests')).toBe('1.5s');
    expect(headers.get('x-ratelimit-limit-tokens')).toBe('90000');
    expect(headers.get('x-ratelimit-remaining-tokens')).toBe('88000');
    expect(headers.get('x-ratelimit-reset-tokens')).toBe('40s');
    expect(headers.get('anthropic-ratelimit-requests-reset')).toBe(at(1500));
    expect(headers.get('retry-after')).toBe('2');
    expect(readRateLimitHeaders(headers)).toEqual({
      limitRequests: 50,
      remainingRequests: 49,
      resetRequestsMs: 1500,
      limitTokens: 90000,
      remainingTokens: 88000,
      resetTokensMs: 40_000,
    });
    // The input is left as it was.
    expect(original.has('x-ratelimit-limit-requests')).toBe(false);
  });

  it('reads a reset in the past as 0s', () => {
    const headers = translateRateLimitHeaders(
      new Headers({ 'anthropic-ratelimit-requests-reset': at(-3000) }),
      NOW,
    );
    expect(headers.get('x-ratelimit-reset-requests')).toBe('0s');
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
      NOW,
    );
    expect(headers.get('x-ratelimit-limit-tokens')).toBe('16000');
    expect(headers.get('x-ratelimit-remaining-tokens')).toBe('2000');
    expect(headers.get('x-ratelimit-reset-tokens')).toBe('50s');
  });

  it('prefers the tokens family to input and output', () => {
    const headers = translateRateLimitHeaders(
      new Headers({
        'anthropic-ratelimit-tokens-limit': '100',
        'anthropic-ratelimit-tokens-remaining': '90',
        'anthropic-ratelimit-output-tokens-limit': '16000',
        'anthropic-ratelimit-output-tokens-remaining': '0',
      }),
      NOW,
    );
    expect(headers.get('x-ratelimit-limit-tokens')).toBe('100');
    expect(headers.get('x-ratelimit-remaining-tokens')).toBe('90');
  });

  it('skips garbled values and keeps x-ratelimit-* headers the server already sent', () => {
    const headers = translateRateLimitHeaders(
      new Headers({
        'anthropic-ratelimit-requests-limit': 'lots',
        'anthropic-ratelimit-requests-remaining': '-1',
        'anthropic-ratelimit-requests-reset': 'soon',
        'anthropic-ratelimit-tokens-limit': '1000',
        'x-ratelimit-limit-tokens': '777',
      }),
      NOW,
    );
    expect(headers.has('x-ratelimit-limit-requests')).toBe(false);
    expect(headers.has('x-ratelimit-remaining-requests')).toBe(false);
    expect(headers.has('x-ratelimit-reset-requests')).toBe(false);
    expect(headers.get('x-ratelimit-limit-tokens')).toBe('777');
  });

  it('adds nothing when there are no Anthropic headers', () => {
    const headers = translateRateLimitHeaders(new Headers({ 'request-id': 'req_1' }), NOW);
    expect([...headers.keys()]).toEqual(['request-id']);
  });
});

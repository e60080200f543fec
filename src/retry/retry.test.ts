import { describe, expect, it } from 'vitest';
import { APIError, ConnectionError, TimeoutError, VolleyError, type VolleyErrorCode } from '../errors.js';
import { ExponentialBackoff } from './backoff.js';
import { retryDelay, shouldRetry, stopsLane } from './decide.js';

describe('ExponentialBackoff', () => {
  it('doubles its ceiling per retry up to the cap, and is immutable', () => {
    const first = new ExponentialBackoff({ initialDelay: 100, maxDelay: 1000, multiplier: 2 });
    const ceilings = [first];
    for (let i = 0; i < 5; i++) ceilings.push(ceilings.at(-1)!.next());
    expect(ceilings.map((b) => b.ceiling)).toEqual([100, 200, 400, 800, 1000, 1000]);
    expect(first.retries).toBe(0);
  });

  it('draws full jitter in [0, ceiling)', () => {
    const backoff = new ExponentialBackoff({ initialDelay: 1000, maxDelay: 1000, multiplier: 2 });
    expect(backoff.delay(() => 0)).toBe(0);
    expect(backoff.delay(() => 0.5)).toBe(500);
    expect(backoff.delay(() => 0.999999)).toBe(999);
  });
});

describe('shouldRetry', () => {
  const cases: Array<[VolleyErrorCode, boolean]> = [
    ['rate_limited', true],
    ['server_error', true],
    ['request_timeout', true],
    ['request_too_large', false],
    ['unreachable', false],
    ['conflict', true],
    ['connection_error', true],
    ['timeout', true],
    ['malformed_response', true],
    ['bad_request', false],
    ['authentication', false],
    ['permission_denied', false],
    ['not_found', false],
    ['unprocessable', false],
    ['context_length_exceeded', false],
    ['content_filtered', false],
    ['quota_exceeded', false],
    ['deadline_exceeded', false],
    ['aborted', false],
  ];
  it.each(cases)('%s → %s', (code, expected) => {
    expect(shouldRetry(new VolleyError(code, 'x'))).toBe(expected);
  });

  it("honours the server's x-should-retry verdict in both directions", () => {
    expect(shouldRetry(new APIError('rate_limited', 'x', { status: 429, retryable: false }))).toBe(false);
    expect(shouldRetry(new APIError('bad_request', 'x', { status: 400, retryable: true }))).toBe(true);
    expect(shouldRetry(new APIError('server_error', 'x', { status: 500, retryable: undefined }))).toBe(true);
  });

  it('does not retry a 501, which is not temporary', () => {
    expect(shouldRetry(new APIError('server_error', 'x', { status: 501 }))).toBe(false);
    expect(shouldRetry(new APIError('server_error', 'x', { status: 503 }))).toBe(true);
  });

  it('stops the lane only for failures every call would share', () => {
    expect(stopsLane(new APIError('authentication', 'x', { status: 401 }))).toBe(true);
    expect(stopsLane(new APIError('quota_exceeded', 'x', { status: 429 }))).toBe(true);
    expect(stopsLane(new APIError('rate_limited', 'x', { status: 429 }))).toBe(false);
    expect(stopsLane(new ConnectionError('x'))).toBe(false);
  });
});

describe('retryDelay', () => {
  const backoff = new ExponentialBackoff({ initialDelay: 1000, maxDelay: 8000, multiplier: 2 }).next();

  it('honours retry-after-ms exactly', () => {
    const error = new APIError('rate_limited', 'x', { headers: new Headers({ 'retry-after-ms': '1234.5' }) });
    expect(retryDelay(error, backoff, () => 0)).toBe(1235);
  });

  it('honours retry-after in seconds and as an HTTP date', () => {
    const seconds = new APIError('rate_limited', 'x', { headers: new Headers({ 'retry-after': '3' }) });
    expect(retryDelay(seconds, backoff, () => 0)).toBe(3000);
    const now = Date.parse('2026-01-01T00:00:00Z');
    const date = new APIError('server_error', 'x', {
      headers: new Headers({ 'retry-after': 'Thu, 01 Jan 2026 00:00:05 GMT' }),
    });
    expect(retryDelay(date, backoff, () => 0, now)).toBe(5000);
  });

  it('does not take a reset header for advice: the window may reset long after the next call fits', () => {
    const headers = new Headers({
      'x-ratelimit-remaining-requests': '0',
      'x-ratelimit-reset-requests': '1m30.5s',
    });
    expect(retryDelay(new APIError('rate_limited', 'x', { headers }), backoff, () => 0.5)).toBe(1000);
  });

  it('uses jittered backoff without advice', () => {
    const error = new TimeoutError('timeout', 'x');
    expect(retryDelay(error, backoff, () => 0.5)).toBe(1000);
    expect(retryDelay(error, backoff, () => 0)).toBe(0);
  });
});

/**
 * The retry policy as two pure functions: whether a failure is worth another attempt, and how
 * long to wait before it. The scheduler calls both; nothing else decides.
 */
import type { VolleyError, VolleyErrorCode } from '../errors.js';
import { retryAfterMs } from '../wire/index.js';
import type { ExponentialBackoff } from './backoff.js';

const RETRYABLE: ReadonlySet<VolleyErrorCode> = new Set<VolleyErrorCode>([
  'request_timeout',
  'conflict',
  'rate_limited',
  'server_error',
  'connection_error',
  'timeout',
  'malformed_response',
]);

/** 501 Not Implemented and 505 HTTP Version Not Supported: no second attempt will change them. */
const PERMANENT_STATUS: ReadonlySet<number> = new Set([501, 505]);

/**
 * The server's own verdict (`x-should-retry`) wins when it gave one, in both directions. Otherwise
 * transient failures are retried, and everything the same request would fail again is not: bad
 * requests, auth, a missing model, a context or a request too large, filtered content, an exhausted
 * quota (a 429 no wait will fix), and a 501.
 */
export function shouldRetry(error: VolleyError): boolean {
  if (error.retryable !== undefined) return error.retryable;
  if (error.status !== undefined && PERMANENT_STATUS.has(error.status)) return false;
  return RETRYABLE.has(error.code);
}

/**
 * The wait before the next attempt (ms): the server's `retry-after-ms` / `retry-after` when it gave
 * one, a floor that is always honoured; without it, full-jitter exponential backoff.
 */
export function retryDelay(
  error: VolleyError,
  backoff: ExponentialBackoff,
  random: () => number = Math.random,
  nowEpochMs: number = Date.now(),
): number {
  return retryAfterMs(error.headers, nowEpochMs) ?? backoff.delay(random);
}

/** Failures that mean every other call in the same lane would fail the same way. */
export function stopsLane(error: VolleyError): boolean {
  return (
    error.code === 'authentication' ||
    error.code === 'permission_denied' ||
    error.code === 'quota_exceeded' ||
    error.code === 'not_found'
  );
}

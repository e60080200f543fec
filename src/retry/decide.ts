/**
 * The retry policy as two pure functions: whether a failure is worth another attempt, and how
 * long to wait before it. The scheduler calls both; nothing else decides.
 */
import type { VolleyError, VolleyErrorCode } from '../errors.js';
import type { ExponentialBackoff } from './backoff.js';
import { retryAfterMs } from './retry-after.js';

const RETRYABLE: ReadonlySet<VolleyErrorCode> = new Set<VolleyErrorCode>([
  'request_timeout',
  'conflict',
  'rate_limited',
  'server_error',
  'connection_error',
  'timeout',
  'malformed_response',
]);

/**
 * Transient failures are retried; everything the same request would fail again is not: bad
 * requests, auth, a missing model, a context that is too long, filtered content, and an exhausted
 * quota (a 429 that no wait will fix).
 */
export function shouldRetry(error: VolleyError): boolean {
  return RETRYABLE.has(error.code);
}

/**
 * The wait before the next attempt (ms). The server's advice (`retry-after-ms`, `retry-after`, a
 * reset header) is a floor that is always honoured; without it, full-jitter exponential backoff.
 */
export function retryDelay(
  error: VolleyError,
  backoff: ExponentialBackoff,
  random: () => number = Math.random,
  nowEpochMs: number = Date.now(),
): number {
  const advised = retryAfterMs(error.headers, nowEpochMs);
  if (advised !== undefined) return advised;
  return backoff.delay(random);
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

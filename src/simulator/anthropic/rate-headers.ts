import type { LimitState } from '../rate-limiter.js';

/**
 * `anthropic-ratelimit-{requests,tokens}-{limit,remaining,reset}`, the reset as an RFC 3339 time in
 * whole seconds (rounded up, so waiting until then is enough), as Anthropic writes them. The
 * simulator's one token bucket stands for Anthropic's `tokens` family, the most restrictive one.
 */
export function anthropicRateHeaders(
  limits: readonly LimitState[],
  unixNowMs: number,
): Record<string, string> {
  const headers: Record<string, string> = {};
  for (const { name, limit, remaining, untilFullMs } of limits) {
    headers[`anthropic-ratelimit-${name}-limit`] = String(limit);
    headers[`anthropic-ratelimit-${name}-remaining`] = String(remaining);
    headers[`anthropic-ratelimit-${name}-reset`] = rfc3339Seconds(unixNowMs + untilFullMs);
  }
  return headers;
}

/** `2025-06-01T12:00:40Z`: RFC 3339 in UTC, rounded up to the second. */
function rfc3339Seconds(unixMs: number): string {
  return new Date(Math.ceil(unixMs / 1000) * 1000).toISOString().replace('.000Z', 'Z');
}

/**
 * How long the server asked us to wait, from its headers: `retry-after-ms` (OpenAI's, exact),
 * `retry-after` (seconds or an HTTP date), then the rate-limit reset headers when the remaining
 * count is zero. Returns undefined when the server said nothing usable.
 */
import { parseDuration } from '../scheduler/rate-headers.js';

/** Longest wait we take from a header; a larger value is more likely a server bug than advice. */
const MAX_HEADER_WAIT_MS = 10 * 60_000;

export function retryAfterMs(
  headers: Headers | undefined,
  nowEpochMs: number = Date.now(),
): number | undefined {
  if (!headers) return undefined;
  const ms = Number.parseFloat(headers.get('retry-after-ms') ?? '');
  if (Number.isFinite(ms) && ms >= 0) return bounded(ms);

  const after = headers.get('retry-after');
  if (after !== null) {
    const seconds = Number(after.trim());
    if (after.trim() !== '' && Number.isFinite(seconds) && seconds >= 0) return bounded(seconds * 1000);
    const date = Date.parse(after);
    if (Number.isFinite(date)) return bounded(Math.max(0, date - nowEpochMs));
  }

  // No explicit advice: when a bucket is empty, its reset time is the next best thing.
  let wait: number | undefined;
  for (const kind of ['requests', 'tokens'] as const) {
    if (headers.get(`x-ratelimit-remaining-${kind}`)?.trim() !== '0') continue;
    const reset = parseDuration(headers.get(`x-ratelimit-reset-${kind}`));
    if (reset !== undefined) wait = Math.max(wait ?? 0, reset);
  }
  return wait === undefined ? undefined : bounded(wait);
}

function bounded(ms: number): number {
  return Math.min(MAX_HEADER_WAIT_MS, Math.ceil(ms));
}

/**
 * How long the server asked us to wait: `retry-after-ms` (OpenAI's, exact), then `retry-after`
 * (seconds, or an HTTP date read relative to `nowEpochMs`). Undefined when it said neither: the
 * reset headers are not advice to wait, they say when a whole window is back (see the scheduler's
 * rate budget, which waits only until the next call fits).
 */

/** Longest wait we take from a header; a larger value is more likely a server bug than advice. */
const MAX_HEADER_WAIT_MS = 10 * 60_000;

export function retryAfterMs(
  headers: Headers | undefined,
  nowEpochMs: number = Date.now(),
): number | undefined {
  if (!headers) return undefined;
  const exact = headers.get('retry-after-ms');
  if (exact !== null) {
    const ms = Number(exact.trim());
    if (exact.trim() !== '' && Number.isFinite(ms) && ms >= 0) return bounded(ms);
  }
  const after = headers.get('retry-after');
  if (after === null || after.trim() === '') return undefined;
  const seconds = Number(after.trim());
  if (Number.isFinite(seconds) && seconds >= 0) return bounded(seconds * 1000);
  const date = Date.parse(after);
  return Number.isFinite(date) ? bounded(Math.max(0, date - nowEpochMs)) : undefined;
}

function bounded(ms: number): number {
  return Math.min(MAX_HEADER_WAIT_MS, Math.ceil(ms));
}

export { formatDuration } from '../scheduler/rate-headers.js';

/** `retry-after-ms`: the wait rounded up to a whole millisecond, so waiting that long is enough. */
export function retryAfterMs(waitMs: number): number {
  // The small offset keeps floating-point noise (750.0000000001) from adding a whole millisecond.
  return Math.max(1, Math.ceil(waitMs - 1e-9));
}

/** `retry-after`: whole seconds, rounded up, at least 1 (the header cannot say "less than a second"). */
export function retryAfterSeconds(waitMs: number): number {
  return Math.max(1, Math.ceil(retryAfterMs(waitMs) / 1000));
}

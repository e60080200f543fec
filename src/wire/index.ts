/** Wire formats read by the client: rate-limit headers, their durations, and retry advice. */
export { formatDuration, parseDuration } from './duration.js';
export { readRateLimitHeaders } from './rate-limit-headers.js';
export { retryAfterMs } from './retry-after.js';

export { type BackoffOptions, defaultBackoff, ExponentialBackoff } from './backoff.js';
export { retryDelay, shouldRetry, stopsLane } from './decide.js';
export { retryAfterMs } from './retry-after.js';

export { retryAfterMs } from '../wire/index.js';
export { type BackoffOptions, defaultBackoff, ExponentialBackoff } from './backoff.js';
export { retryDelay, shouldRetry, stopsLane } from './decide.js';

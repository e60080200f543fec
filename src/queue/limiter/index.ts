/** The limiter every worker of one organisation and model shares, in Redis. */

export { limiterKey } from './key.js';
export { type LimitedProviderOptions, limitedProvider } from './limited-provider.js';
export {
  type LimiterOutcome,
  type LimiterTicket,
  SharedLimiter,
  type SharedLimiterOptions,
} from './shared-limiter.js';

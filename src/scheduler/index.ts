export { Lane, type LaneConfig } from './lane.js';
export { parseDuration, type RateLimitHeaders, readRateLimitHeaders } from './rate-headers.js';
export { TokenBucket } from './token-bucket.js';

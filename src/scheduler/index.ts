export { Lane, type LaneConfig } from './lane.js';
export { TokenBucket } from './token-bucket.js';

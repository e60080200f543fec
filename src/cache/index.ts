/** The response cache: keys, the store, hits read back, and clearing. */

export { type ClearOptions, type ClearResult, clearCache } from './clear.js';
export type { CacheAnswer, CacheEntry } from './entry.js';
export { hitResult, readEntry } from './hit.js';
export { bodyKey, CACHE_KEY_VERSION, cacheKey, type KeyedProvider } from './key.js';
export { type CacheStats, ResponseCache, type ResponseCacheOptions } from './store.js';

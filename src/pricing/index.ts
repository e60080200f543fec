/** Prices per million tokens, realtime and Batch-API tiers, and the one cost function. */
export { checkPrices, readPriceFile } from './price-file.js';
export { Pricing, type TokenUsage } from './pricing.js';
export { DEFAULT_PRICES, type ModelPrice, type PriceTable, type PriceTier } from './table.js';

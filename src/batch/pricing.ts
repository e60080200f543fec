/** Moved to `src/pricing`; this re-export stays until the batch files import from there. */
export {
  checkPrices,
  DEFAULT_PRICES,
  type ModelPrice,
  type PriceTable,
  Pricing,
  readPriceFile,
} from '../pricing/index.js';

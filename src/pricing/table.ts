/** The built-in list prices: realtime per million tokens, and the rule for the Batch-API tier. */

export interface ModelPrice {
  /** US dollars per million prompt tokens. */
  readonly input: number;
  /** US dollars per million completion tokens. */
  readonly output: number;
  /** Batch-API prices per million tokens, when not half the realtime ones. */
  readonly batchInput?: number | undefined;
  readonly batchOutput?: number | undefined;
}

export type PriceTable = Readonly<Record<string, ModelPrice>>;

/**
 * Which price applies: `realtime` for calls answered as they are sent, `batch` for lines of a
 * provider Batch API job (OpenAI and Anthropic both bill those at half the realtime price).
 */
export type PriceTier = 'realtime' | 'batch';

/** The Batch API's discount on the realtime price, for models whose entry gives no batch price. */
export const BATCH_DISCOUNT = 0.5;

/** Standard (non-batch) list prices in USD per million tokens, as published in 2025. */
export const DEFAULT_PRICES: PriceTable = {
  'gpt-4o-mini': { input: 0.15, output: 0.6 },
  'gpt-4o': { input: 2.5, output: 10 },
  'gpt-4.1': { input: 2, output: 8 },
  'gpt-4.1-mini': { input: 0.4, output: 1.6 },
  'gpt-4.1-nano': { input: 0.1, output: 0.4 },
  'gpt-5': { input: 1.25, output: 10 },
  'gpt-5-mini': { input: 0.25, output: 2 },
  'gpt-5-nano': { input: 0.05, output: 0.4 },
  o3: { input: 2, output: 8 },
  'o3-mini': { input: 1.1, output: 4.4 },
  'o4-mini': { input: 1.1, output: 4.4 },
  'gpt-4-turbo': { input: 10, output: 30 },
  'gpt-3.5-turbo': { input: 0.5, output: 1.5 },
  'claude-opus-4': { input: 15, output: 75 },
  'claude-sonnet-4': { input: 3, output: 15 },
  'claude-3-5-haiku': { input: 0.8, output: 4 },
};

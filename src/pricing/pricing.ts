/**
 * The one cost function. A dated model name (`gpt-4o-mini-2024-07-18`) is priced as its longest
 * known prefix; an unknown model has no price rather than a guessed one.
 */
import { BATCH_DISCOUNT, DEFAULT_PRICES, type ModelPrice, type PriceTable, type PriceTier } from './table.js';

/** Tokens billed for one answer (the providers' `Usage` has these fields). */
export interface TokenUsage {
  readonly promptTokens: number;
  readonly completionTokens: number;
}

export class Pricing {
  readonly #table: Map<string, ModelPrice>;
  readonly #cache = new Map<string, ModelPrice | undefined>();

  /** `overrides` (a `--prices` file) add to or replace entries of `base`. */
  constructor(overrides: PriceTable = {}, base: PriceTable = DEFAULT_PRICES) {
    this.#table = new Map(Object.entries({ ...base, ...overrides }));
  }

  /** The price of `model`, or of its longest known prefix; undefined when unknown. */
  price(model: string): ModelPrice | undefined {
    if (this.#cache.has(model)) return this.#cache.get(model);
    let found = this.#table.get(model);
    if (!found) {
      let best = '';
      for (const [name, price] of this.#table) {
        if (name.length > best.length && model.startsWith(`${name}-`)) {
          best = name;
          found = price;
        }
      }
    }
    this.#cache.set(model, found);
    return found;
  }

  /** Cost in USD of `usage` on `model` at `tier`; undefined for a model with no price. */
  cost(model: string, usage: TokenUsage, tier?: PriceTier): number | undefined;
  /** The older form, kept until its callers move: prompt and completion tokens, realtime. */
  cost(model: string, promptTokens: number, completionTokens: number): number | undefined;
  cost(model: string, usage: TokenUsage | number, third?: PriceTier | number): number | undefined {
    const price = this.price(model);
    if (!price) return undefined;
    const [prompt, completion, tier] =
      typeof usage === 'number'
        ? [usage, Number(third ?? 0), 'realtime' as const]
        : [usage.promptTokens, usage.completionTokens, (third as PriceTier | undefined) ?? 'realtime'];
    const input = tier === 'batch' ? (price.batchInput ?? price.input * BATCH_DISCOUNT) : price.input;
    const output = tier === 'batch' ? (price.batchOutput ?? price.output * BATCH_DISCOUNT) : price.output;
    return (prompt * input + completion * output) / 1_000_000;
  }

  /** `cost` of an answer that may have reported no usage (then undefined). */
  usageCost(model: string, usage: TokenUsage | undefined, tier?: PriceTier): number | undefined {
    return usage && this.cost(model, usage, tier);
  }
}

/**
 * Cost estimates from per-million-token list prices. The table covers common models; a JSON file
 * (`--prices`) adds or replaces entries. A dated model name (`gpt-4o-mini-2024-07-18`) is priced
 * as its longest known prefix. Unknown models have no price rather than a guessed one.
 */
import { readFile } from 'node:fs/promises';
import type { Usage } from '../providers/types.js';

export interface ModelPrice {
  /** US dollars per million prompt tokens. */
  readonly input: number;
  /** US dollars per million completion tokens. */
  readonly output: number;
}

export type PriceTable = Readonly<Record<string, ModelPrice>>;

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

export class Pricing {
  readonly #table: Map<string, ModelPrice>;
  readonly #cache = new Map<string, ModelPrice | undefined>();

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

  /** Cost in USD of `promptTokens` in and `completionTokens` out; undefined for an unknown model. */
  cost(model: string, promptTokens: number, completionTokens: number): number | undefined {
    const price = this.price(model);
    if (!price) return undefined;
    return (promptTokens * price.input + completionTokens * price.output) / 1_000_000;
  }

  usageCost(model: string, usage: Usage | undefined): number | undefined {
    return usage && this.cost(model, usage.promptTokens, usage.completionTokens);
  }
}

/** Reads `{"model": {"input": 0.15, "output": 0.6}, ...}`; throws a `TypeError` naming the bad entry. */
export async function readPriceFile(path: string): Promise<PriceTable> {
  let parsed: unknown;
  try {
    parsed = JSON.parse(await readFile(path, 'utf8'));
  } catch (error) {
    throw new TypeError(`Cannot read the price file ${path}: ${(error as Error).message}`);
  }
  return checkPrices(parsed, path);
}

export function checkPrices(value: unknown, where: string): PriceTable {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    throw new TypeError(
      `${where} must hold an object of model names to {"input", "output"} prices per million tokens.`,
    );
  }
  for (const [model, price] of Object.entries(value)) {
    const { input, output } = (price ?? {}) as Partial<ModelPrice>;
    if (!(typeof input === 'number' && input >= 0 && typeof output === 'number' && output >= 0)) {
      throw new TypeError(
        `${where}: the price of '${model}' needs "input" and "output" as numbers of at least 0 (USD per million tokens).`,
      );
    }
  }
  return value as PriceTable;
}

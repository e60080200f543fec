/**
 * `--max-cost` and `--max-tokens`: before an item starts, its estimated tokens and cost are
 * reserved on top of what is spent (earlier runs included) and what items in flight have
 * reserved. An item that would cross a limit is not started, and neither is anything after it.
 */
import type { CallRequest, ChatMessage } from '../providers/types.js';
import { countMessageTokens } from '../tokens/count.js';
import type { Pricing } from './pricing.js';

export interface BudgetLimits {
  /** US dollars, as estimated from the price table. */
  readonly maxCostUsd?: number | undefined;
  /** Prompt plus completion tokens. */
  readonly maxTokens?: number | undefined;
}

export interface Estimate {
  readonly model: string;
  readonly promptTokens: number;
  readonly outputTokens: number;
  /** Undefined when the model has no known price. */
  readonly costUsd: number | undefined;
}

/** Tokens and cost of one request before it is sent; output is `maxTokens` or `typicalOutput`. */
export function estimate(
  request: CallRequest,
  defaultModel: string,
  typicalOutput: number,
  pricing: Pricing,
): Estimate {
  const model = request.model ?? defaultModel;
  const messages: readonly ChatMessage[] = request.messages ?? [
    { role: 'user', content: request.prompt ?? '' },
  ];
  const promptTokens = countMessageTokens(messages);
  const outputTokens = request.maxTokens ?? typicalOutput;
  return { model, promptTokens, outputTokens, costUsd: pricing.cost(model, promptTokens, outputTokens) };
}

export class Budget {
  #spentTokens: number;
  #spentCost: number;
  #reservedTokens = 0;
  #reservedCost = 0;
  /** Which limit stopped new items, once one has. */
  reached: 'cost' | 'tokens' | undefined;

  constructor(
    readonly limits: BudgetLimits,
    spent: { tokens: number; costUsd: number } = { tokens: 0, costUsd: 0 },
  ) {
    this.#spentTokens = spent.tokens;
    this.#spentCost = spent.costUsd;
  }

  get active(): boolean {
    return this.limits.maxCostUsd !== undefined || this.limits.maxTokens !== undefined;
  }

  get spentTokens(): number {
    return this.#spentTokens;
  }

  get spentCostUsd(): number {
    return this.#spentCost;
  }

  /** Reserves the estimate and returns true, or returns false (and records why) when it does not fit. */
  admit(item: Estimate): boolean {
    if (this.reached) return false;
    const tokens = item.promptTokens + item.outputTokens;
    const { maxCostUsd, maxTokens } = this.limits;
    if (maxTokens !== undefined && this.#spentTokens + this.#reservedTokens + tokens > maxTokens) {
      this.reached = 'tokens';
      return false;
    }
    const cost = item.costUsd ?? 0;
    if (maxCostUsd !== undefined && this.#spentCost + this.#reservedCost + cost > maxCostUsd) {
      this.reached = 'cost';
      return false;
    }
    this.#reservedTokens += tokens;
    this.#reservedCost += cost;
    return true;
  }

  /** An admitted item ended: its reservation is replaced by what it actually used. */
  settle(item: Estimate, used: { tokens: number; costUsd: number }): void {
    this.#reservedTokens -= item.promptTokens + item.outputTokens;
    this.#reservedCost -= item.costUsd ?? 0;
    this.spend(used);
  }

  spend(used: { tokens: number; costUsd: number }): void {
    this.#spentTokens += used.tokens;
    this.#spentCost += used.costUsd;
  }
}

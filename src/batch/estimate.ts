/**
 * What a request is estimated to use before it is sent, for `--dry-run`: its prompt counted with
 * the tokenizer, and `max_tokens` (or a typical answer) out. A run's budget learns from the
 * answers instead (`run/budget.ts`).
 */

import type { PriceTier, Pricing } from '../pricing/index.js';
import type { CallRequest, ChatMessage } from '../providers/types.js';
import { countMessageTokens } from '../tokens/count.js';

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
  tier: PriceTier = 'realtime',
): Estimate {
  const model = request.model ?? defaultModel;
  const messages: readonly ChatMessage[] = request.messages ?? [
    { role: 'user', content: request.prompt ?? '' },
  ];
  const promptTokens = countMessageTokens(messages);
  const outputTokens = request.maxTokens ?? typicalOutput;
  return {
    model,
    promptTokens,
    outputTokens,
    costUsd: pricing.cost(model, { promptTokens, completionTokens: outputTokens }, tier),
  };
}

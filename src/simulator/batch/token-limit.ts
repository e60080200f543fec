import type { BatchError } from './input-file.js';
import type { OpenAIBatch } from './openai-batch.js';

/** Statuses in which a batch's prompt tokens count as enqueued. */
const HOLDING = new Set(['in_progress', 'finalizing', 'cancelling']);

/**
 * Prompt tokens that the batches of `model` other than `self` hold enqueued at `at`: those past
 * validation and not yet ended. Only batches validated before `self` (or at the same time and
 * created earlier) are asked, so a batch's verdict never depends on a later one's.
 */
export function enqueuedTokens(
  batches: readonly OpenAIBatch[],
  model: string,
  at: number,
  self: OpenAIBatch,
): number {
  let total = 0;
  for (const batch of batches) {
    if (batch === self || batch.model !== model) continue;
    const earlier =
      batch.plan.startAt < self.plan.startAt ||
      (batch.plan.startAt === self.plan.startAt && batch.init.number < self.init.number);
    if (earlier && HOLDING.has(batch.status(at).status)) total += batch.tokens;
  }
  return total;
}

/** The `errors.data` entry of a batch refused for the organisation's enqueued-token limit. */
export function tokenLimitError(model: string, limit: number, enqueued: number, tokens: number): BatchError {
  return {
    code: 'token_limit_exceeded',
    message:
      `Enqueued token limit reached for ${model}: at most ${limit} enqueued tokens, ${enqueued} ` +
      `enqueued already and ${tokens} in this batch. Submit again once the current batches have finished.`,
    line: null,
    param: null,
  };
}

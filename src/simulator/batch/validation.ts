import type { BatchError } from './input-file.js';
import type { OpenAIBatch } from './openai-batch.js';
import { hits } from './options.js';
import { tokenLimitError } from './token-limit.js';

/**
 * What validation finds, in the order the real service reports it: the file's own errors, then a
 * scripted `invalidLines` fault, then the organisation's enqueued-token limit for the model, counted
 * at the moment validation ends.
 */
export function validate(batch: OpenAIBatch): readonly BatchError[] {
  const { input, number } = batch.init;
  const { faults, enqueuedTokenLimit: limit } = batch.context.options.batches;
  if (input.errors.length > 0) return input.errors;
  if (hits(faults.invalidLines, number)) {
    const message = 'The simulator refused this line (a scripted invalidLines fault).';
    const lines = faults.invalidLines!.lines.filter((line) => line <= input.lines.length);
    if (lines.length > 0)
      return lines.map((line) => ({ code: 'invalid_request', message, line, param: null }));
  }
  if (limit === undefined || batch.model === undefined) return [];
  const others = batch.enqueued(batch.model, batch.plan.startAt, batch);
  return others + batch.tokens > limit ? [tokenLimitError(batch.model, limit, others, batch.tokens)] : [];
}

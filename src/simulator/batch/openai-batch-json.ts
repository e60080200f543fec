import { unixSeconds } from './context.js';
import type { OpenAIBatch } from './openai-batch.js';
import type { BatchStatus } from './openai-timeline.js';

const STAMPS: readonly [BatchStatus, string][] = [
  ['in_progress', 'in_progress_at'],
  ['finalizing', 'finalizing_at'],
  ['completed', 'completed_at'],
  ['failed', 'failed_at'],
  ['expired', 'expired_at'],
  ['cancelling', 'cancelling_at'],
  ['cancelled', 'cancelled_at'],
];

/** The `batch` object at `now` (after `settle`), field for field as the API sends it. */
export function batchObject(batch: OpenAIBatch, now: number): object {
  const { init, context } = batch;
  const timeline = batch.timeline(now);
  const { status } = batch.status(now);
  const stamps: Record<string, number | null> = {};
  for (const [step, field] of STAMPS) {
    const at = timeline.steps.find((s) => s.status === step && s.at <= now)?.at;
    stamps[field] = at === undefined ? null : unixSeconds(context, at);
  }
  // Counts and the model are known once validation has passed.
  const passed = stamps['in_progress_at'] !== null;
  const errors = status === 'failed' ? { object: 'list', data: batch.validationErrors() } : null;
  const results = batch.results(now);
  const answered = results.filter((result) => result.ok);
  const input = answered.reduce((sum, result) => sum + result.promptTokens, 0);
  const output = answered.reduce((sum, result) => sum + result.completionTokens, 0);
  return {
    id: init.id,
    object: 'batch',
    endpoint: init.endpoint,
    model: passed ? (init.input.model ?? null) : null,
    errors,
    input_file_id: init.inputFileId,
    completion_window: '24h',
    status,
    output_file_id: batch.output?.outputFileId ?? null,
    error_file_id: batch.output?.errorFileId ?? null,
    created_at: unixSeconds(context, init.createdAt),
    expires_at: unixSeconds(context, batch.plan.expiresAt),
    ...stamps,
    request_counts: {
      total: passed ? init.input.lines.length : 0,
      completed: batch.output?.completed ?? answered.length,
      failed: batch.output?.failed ?? results.length - answered.length,
    },
    usage: {
      input_tokens: input,
      input_tokens_details: { cached_tokens: 0 },
      output_tokens: output,
      output_tokens_details: { reasoning_tokens: 0 },
      total_tokens: input + output,
    },
    metadata: init.metadata,
  };
}

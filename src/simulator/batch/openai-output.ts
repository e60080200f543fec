import type { BatchContext } from './context.js';
import { lineId } from './ids.js';
import type { OpenAIBatch } from './openai-batch.js';

/** What an ended batch left: its files (null when it has no such lines) and its final counts. */
export interface BatchOutput {
  readonly outputFileId: string | null;
  readonly errorFileId: string | null;
  readonly completed: number;
  readonly failed: number;
}

const NOT_RUN = {
  expired: {
    code: 'batch_expired',
    message: 'This request could not be executed before the completion window expired.',
  },
  cancelled: {
    code: 'batch_cancelled',
    message: 'This request was not executed because the batch was cancelled.',
  },
} as const;

/**
 * Writes the output file (lines answered with a 200) and the error file (lines answered with an
 * error nested in `response.body`, and lines never run), in input order, and counts what was paid.
 * A file with no lines is not created: a batch whose every line failed has `output_file_id: null`.
 */
export function writeOutput(
  batch: OpenAIBatch,
  ended: 'completed' | 'expired' | 'cancelled',
  endedAt: number,
  context: BatchContext,
): BatchOutput {
  const { id } = batch.init;
  const { stats } = context;
  const results = batch.results(endedAt);
  const output: string[] = [];
  const failures: string[] = [];
  batch.init.input.lines.forEach(({ customId }, i) => {
    const head = {
      id: lineId('batch_req_', id, i),
      custom_id: customId,
    };
    const result = results[i];
    if (!result) {
      stats.batches.count('linesNotRun');
      failures.push(
        JSON.stringify({
          ...head,
          response: null,
          error: NOT_RUN[ended === 'completed' ? 'expired' : ended],
        }),
      );
      return;
    }
    const requestId = lineId('req_', id, i);
    const status = result.ok ? 200 : result.status;
    const line = JSON.stringify({
      ...head,
      response: { status_code: status, request_id: requestId, body: result.body },
      error: null,
    });
    if (result.ok) {
      stats.paid(result.key);
      stats.batches.answered(id, result.promptTokens, result.completionTokens);
      output.push(line);
    } else {
      stats.batches.count('linesFailed');
      failures.push(line);
    }
  });
  const createdAt = Math.floor(context.unixMs(endedAt) / 1000);
  const file = (lines: string[], kind: string) =>
    lines.length === 0
      ? null
      : context.files.add({
          filename: `${id}_${kind}.jsonl`,
          purpose: 'batch_output',
          content: new TextEncoder().encode(lines.map((line) => `${line}\n`).join('')),
          createdAt,
        }).id;
  return {
    outputFileId: file(output, 'output'),
    errorFileId: file(failures, 'error'),
    completed: output.length,
    failed: failures.length,
  };
}

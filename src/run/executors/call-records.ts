/** Building output records from a call's answer, its failure, or a line that was never sent. */
import { randomBytes } from 'node:crypto';
import type { CallResult } from '../../client/types.js';
import type { VolleyError } from '../../errors.js';
import type { Usage } from '../../providers/types.js';
import type { OutputError, OutputRecord } from '../../records/types.js';
import type { LineProblem } from '../types.js';

/** Random per process, then a counter: unique without a random draw per record. */
const ID_PREFIX = `batch_req_${randomBytes(6).toString('hex')}`;
let idCounter = 0;

function recordId(): string {
  return ID_PREFIX + (idCounter++).toString(16).padStart(12, '0');
}

export function resultRecord(
  line: number,
  customId: string,
  result: CallResult,
  cost: number | undefined,
): OutputRecord {
  const { usage, timings } = result;
  const answered = {
    id: recordId(),
    custom_id: customId,
    response: { status_code: 200, request_id: result.requestID ?? null, body: responseBody(result) },
    error: null,
    line,
    model: result.model,
  };
  // Nothing was sent or paid; the body keeps the usage of the call that was.
  if (result.cached)
    return { ...answered, attempts: 0, latency_ms: 0, queued_ms: 0, usage: null, cost_usd: 0, cached: true };
  return {
    ...answered,
    attempts: timings.attempts,
    latency_ms: Math.round(timings.latencyMs),
    queued_ms: Math.round(timings.queuedMs),
    usage: usage ? usageJSON(usage) : null,
    cost_usd: cost ?? null,
  };
}

export function failureRecord(
  line: number,
  customId: string,
  model: string | null,
  error: VolleyError,
): OutputRecord {
  const detail: OutputError = { code: error.code, message: error.message };
  return {
    id: recordId(),
    custom_id: customId,
    response:
      error.status === undefined
        ? null
        : {
            status_code: error.status,
            request_id: error.requestID ?? null,
            body: { error: { message: error.message, type: error.code } },
          },
    error: error.status === undefined ? detail : { ...detail, status: error.status },
    ...unsent(line, model),
    attempts: error.attempts,
  };
}

/** The record of a line that was never sent: bad input, or a `custom_id` an earlier line used. */
export function problemRecord(problem: LineProblem, model: string | null = null): OutputRecord {
  const error: OutputError = { code: problem.code, message: problem.message };
  return {
    id: recordId(),
    custom_id: problem.customId ?? `line-${problem.line}`,
    response: null,
    error: problem.field === undefined ? error : { ...error, field: problem.field },
    ...unsent(problem.line, model),
  };
}

function unsent(line: number, model: string | null) {
  return { line, model, attempts: 0, latency_ms: null, queued_ms: null, usage: null, cost_usd: null };
}

/** The provider's own body when it gave one, else a chat completion built from the result. */
function responseBody(result: CallResult): unknown {
  if (result.raw !== null && typeof result.raw === 'object') return result.raw;
  const { usage } = result;
  return {
    object: 'chat.completion',
    model: result.model,
    choices: [
      { index: 0, message: { role: 'assistant', content: result.text }, finish_reason: result.finishReason },
    ],
    usage: usage ? usageJSON(usage) : undefined,
  };
}

function usageJSON(usage: Usage) {
  return {
    prompt_tokens: usage.promptTokens,
    completion_tokens: usage.completionTokens,
    total_tokens: usage.totalTokens,
  };
}

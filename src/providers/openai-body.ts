/**
 * The chat completions wire format: the body a `ProviderRequest` is sent as, and what is read back
 * from an answer (its usage, and what is wrong with a body that is not a completion).
 */
import { isRecord } from './shared.js';
import type { ProviderRequest, Usage } from './types.js';

type Body = Record<string, unknown>;

/**
 * `{ model, messages, max_tokens?, temperature?, response_format?, ...params }`. `params` win,
 * and `max_tokens` is left out when they set `max_completion_tokens` (newer OpenAI models reject
 * both together). `stream` is always what the call needs.
 */
export function buildBody(request: ProviderRequest, stream: boolean): Body {
  const params = request.params;
  const body: Body = { model: request.model, messages: request.messages };
  if (request.maxTokens !== undefined && !Object.hasOwn(params, 'max_completion_tokens')) {
    body['max_tokens'] = request.maxTokens;
  }
  if (request.temperature !== undefined) body['temperature'] = request.temperature;
  if (request.responseFormat !== undefined) body['response_format'] = request.responseFormat;
  Object.assign(body, params);
  if (stream) {
    body['stream'] = true;
    if (!Object.hasOwn(params, 'stream_options')) body['stream_options'] = { include_usage: true };
    else if (body['stream_options'] === undefined || body['stream_options'] === null)
      delete body['stream_options'];
  } else {
    delete body['stream'];
    delete body['stream_options'];
  }
  return body;
}

function count(value: unknown): number | undefined {
  return typeof value === 'number' && Number.isFinite(value) && value >= 0 ? value : undefined;
}

/** `{ prompt_tokens, completion_tokens, total_tokens }` → `Usage`; undefined when none reported. */
export function readUsage(usage: unknown): Usage | undefined {
  if (!isRecord(usage)) return undefined;
  const prompt = count(usage['prompt_tokens']);
  const completion = count(usage['completion_tokens']);
  const total = count(usage['total_tokens']);
  if (prompt === undefined && completion === undefined && total === undefined) return undefined;
  const promptTokens = prompt ?? 0;
  const completionTokens = completion ?? Math.max(0, (total ?? 0) - promptTokens);
  return { promptTokens, completionTokens, totalTokens: total ?? promptTokens + completionTokens };
}

/** Why `data` is not a chat completion, for a `malformed_response` message. */
export function describeBody(data: unknown): string {
  if (data === undefined || data === null) return 'the body was empty';
  if (typeof data === 'string') return data === '' ? 'the body was empty' : 'the body was not JSON';
  if (!isRecord(data)) return 'the body was not a JSON object';
  if (!Array.isArray(data['choices'])) return 'no "choices" field';
  return data['choices'].length === 0 ? '"choices" was empty' : 'the first choice had no "message"';
}

/**
 * The Messages API wire format: the body a `ProviderRequest` is sent as, and what is read back from
 * an answer (its usage, and what is wrong with a body that is not a message).
 */
import { VolleyError } from '../errors.js';
import { isRecord } from './shared.js';
import type { ChatMessage, ProviderRequest, ResponseFormat, Usage } from './types.js';

type Body = Record<string, unknown>;

/**
 * Appended to the system prompt for `responseFormat: { type: 'json_object' }`: the Messages API
 * has no JSON mode, so the model is asked for JSON instead.
 */
export const JSON_OBJECT_INSTRUCTION =
  'Answer with one valid JSON object and nothing else: no prose before or after it and no Markdown code fences.';

/**
 * The Messages API body for `request`: `{ model, max_tokens, messages, system?, temperature?,
 * ...params }`, with `stream: true` when streaming and no `stream` otherwise. See `anthropic()` for
 * how messages and `responseFormat` are mapped. Throws `invalid_request` for a `tool` message.
 */
export function buildAnthropicBody(
  request: ProviderRequest,
  defaultMaxTokens: number,
  stream: boolean,
): Body {
  const system: ChatMessage['content'][] = [];
  const messages: { role: 'user' | 'assistant'; content: ChatMessage['content'] }[] = [];
  for (const message of request.messages) {
    switch (message.role) {
      case 'system':
      case 'developer':
        system.push(message.content);
        break;
      case 'user':
      case 'assistant':
        messages.push({ role: message.role, content: message.content });
        break;
      default:
        throw new VolleyError(
          'invalid_request',
          `The Anthropic Messages API has no "${String(message.role)}" role. Send tool results as ` +
            '"tool_result" content blocks in a user message instead.',
        );
    }
  }
  const instruction = jsonInstruction(request.responseFormat);
  if (instruction !== undefined) system.push(instruction);

  const body: Body = {
    model: request.model,
    max_tokens: request.maxTokens ?? defaultMaxTokens,
    messages,
  };
  if (system.length > 0) body['system'] = joinSystem(system);
  if (request.temperature !== undefined) body['temperature'] = request.temperature;
  Object.assign(body, request.params);
  if (stream) body['stream'] = true;
  else delete body['stream'];
  return body;
}

/** The system-prompt addition for a JSON `responseFormat`; undefined for text. */
function jsonInstruction(format: ResponseFormat | undefined): string | undefined {
  if (format === undefined || format.type === 'text') return undefined;
  if (format.type === 'json_object') return JSON_OBJECT_INSTRUCTION;
  // OpenAI's shape is `{ name, schema, strict }`; a bare schema is taken as it is.
  const spec = format.json_schema;
  const schema = isRecord(spec['schema']) ? spec['schema'] : spec;
  return (
    'Answer with one valid JSON value that conforms to the JSON Schema below, and nothing else: ' +
    `no prose before or after it and no Markdown code fences.\n${JSON.stringify(schema)}`
  );
}

/** Strings only: joined with blank lines. Any content parts: one list of text blocks. */
function joinSystem(parts: readonly ChatMessage['content'][]): string | unknown[] {
  if (parts.every((part) => typeof part === 'string')) return parts.join('\n\n');
  return parts.flatMap((part) => (typeof part === 'string' ? [{ type: 'text', text: part }] : [...part]));
}

function count(value: unknown): number | undefined {
  return typeof value === 'number' && Number.isFinite(value) && value >= 0 ? value : undefined;
}

/**
 * Anthropic's usage → `Usage`: prompt tokens are `input_tokens` plus the cache writes and reads
 * (`cache_creation_input_tokens`, `cache_read_input_tokens`), which Anthropic counts separately;
 * completion tokens are `output_tokens`. Undefined when none is reported.
 */
export function readAnthropicUsage(usage: unknown): Usage | undefined {
  if (!isRecord(usage)) return undefined;
  const input = count(usage['input_tokens']);
  const cacheWrite = count(usage['cache_creation_input_tokens']);
  const cacheRead = count(usage['cache_read_input_tokens']);
  const output = count(usage['output_tokens']);
  if (input === undefined && cacheWrite === undefined && cacheRead === undefined && output === undefined) {
    return undefined;
  }
  const promptTokens = (input ?? 0) + (cacheWrite ?? 0) + (cacheRead ?? 0);
  const completionTokens = output ?? 0;
  return { promptTokens, completionTokens, totalTokens: promptTokens + completionTokens };
}

/** Why `data` is not a message, for a `malformed_response` message. */
export function describeBody(data: unknown): string {
  if (data === undefined || data === null) return 'the body was empty';
  if (typeof data === 'string') return data === '' ? 'the body was empty' : 'the body was not JSON';
  if (!isRecord(data)) return 'the body was not a JSON object';
  return 'no "content" list';
}

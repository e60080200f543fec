/** Reading request fields from input lines, with errors that name the field at fault. */
import type { CallRequest, ChatMessage, ResponseFormat } from '../providers/types.js';

const ROLES = new Set(['system', 'developer', 'user', 'assistant', 'tool']);
const CHAT_URLS = new Set(['/v1/chat/completions', '/chat/completions']);
/** Body fields Volley maps to request options; the rest go to the server as they are. */
const MAPPED = new Set([
  'model',
  'messages',
  'max_tokens',
  'temperature',
  'response_format',
  'stream',
  'stream_options',
]);

/** Thrown while reading a line and turned into an `InputProblem` naming the line and field. */
export class FieldError extends Error {
  constructor(
    readonly field: string | undefined,
    message: string,
  ) {
    super(message);
  }
}

export function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

export function messagesOf(value: unknown, field: string): readonly ChatMessage[] {
  if (!Array.isArray(value) || value.length === 0) {
    throw new FieldError(field, 'must be a non-empty array of {"role", "content"}.');
  }
  value.forEach((message: unknown, i) => {
    if (!isRecord(message))
      throw new FieldError(`${field}[${i}]`, 'must be an object with "role" and "content".');
    if (typeof message['role'] !== 'string' || !ROLES.has(message['role'])) {
      throw new FieldError(`${field}[${i}].role`, `must be one of ${[...ROLES].join(', ')}.`);
    }
    const content = message['content'];
    if (typeof content !== 'string' && !Array.isArray(content) && content !== null) {
      throw new FieldError(`${field}[${i}].content`, 'must be a string or an array of content parts.');
    }
  });
  return value as ChatMessage[];
}

/** `model`, `max_tokens` and `temperature` on a prompt or messages line (or in a body). */
export function optionalFields(value: Record<string, unknown>, prefix: string) {
  const out: { model?: string; maxTokens?: number; temperature?: number } = {};
  const model = value['model'];
  if (model !== undefined) {
    if (typeof model !== 'string' || model === '')
      throw new FieldError(`${prefix}model`, 'must be a non-empty string.');
    out.model = model;
  }
  const maxTokens = value['max_tokens'] ?? value['max_completion_tokens'];
  if (maxTokens !== undefined) {
    if (!Number.isInteger(maxTokens) || (maxTokens as number) < 1) {
      const name = value['max_tokens'] === undefined ? 'max_completion_tokens' : 'max_tokens';
      throw new FieldError(`${prefix}${name}`, 'must be a whole number above 0.');
    }
    out.maxTokens = maxTokens as number;
  }
  const temperature = value['temperature'];
  if (temperature !== undefined) {
    if (typeof temperature !== 'number') throw new FieldError(`${prefix}temperature`, 'must be a number.');
    out.temperature = temperature;
  }
  return out;
}

/** A Batch API request line: `{custom_id, method, url, body}` for the chat completions endpoint. */
export function bodyRequest(line: Record<string, unknown>): CallRequest {
  const method = line['method'];
  if (method !== undefined && (typeof method !== 'string' || method.toUpperCase() !== 'POST')) {
    throw new FieldError('method', `must be "POST", got ${JSON.stringify(method)}.`);
  }
  const url = line['url'];
  if (url !== undefined && (typeof url !== 'string' || !CHAT_URLS.has(url))) {
    throw new FieldError('url', `only "/v1/chat/completions" is supported, got ${JSON.stringify(url)}.`);
  }
  const body = line['body'];
  if (!isRecord(body)) throw new FieldError('body', 'must be an object (a chat completions request body).');
  const messages = messagesOf(body['messages'], 'body.messages');
  const params: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(body)) if (!MAPPED.has(key)) params[key] = value;
  const request: { -readonly [K in keyof CallRequest]: CallRequest[K] } = {
    ...optionalFields(body, 'body.'),
    messages,
    params,
  };
  const format = body['response_format'];
  if (format !== undefined) {
    if (!isRecord(format) || typeof format['type'] !== 'string') {
      throw new FieldError('body.response_format', 'must be an object with a "type".');
    }
    request.responseFormat = format as unknown as ResponseFormat;
  }
  return request;
}

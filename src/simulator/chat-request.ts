import type { ChatMessage } from '../providers/types.js';

/** The parts of a chat completion request the simulator acts on. */
export interface ChatRequest {
  readonly model: string;
  readonly messages: readonly ChatMessage[];
  /** `max_tokens`, or else `max_completion_tokens`. */
  readonly maxTokens: number | undefined;
  readonly stream: boolean;
  /** `stream_options.include_usage`: send a last chunk with the usage. */
  readonly includeUsage: boolean;
  readonly responseFormat: unknown;
}

export type ParsedChatRequest =
  | { readonly ok: true; readonly request: ChatRequest }
  | { readonly ok: false; readonly message: string; readonly param: string | null };

const FORMAT_TYPES: ReadonlySet<unknown> = new Set(['text', 'json_object', 'json_schema']);

/** Reads and checks the body, with the API's kind of message naming the first problem found. */
export function parseChatRequest(bodyText: string): ParsedChatRequest {
  let body: unknown;
  try {
    body = JSON.parse(bodyText);
  } catch {
    return fail('We could not parse the JSON body of your request: it is not valid JSON.', null);
  }
  if (typeof body !== 'object' || body === null || Array.isArray(body)) {
    return fail('The request body must be a JSON object.', null);
  }
  const fields = body as Record<string, unknown>;
  const model = fields['model'];
  if (typeof model !== 'string' || model === '') return fail('You must provide a model parameter.', 'model');
  const raw = fields['messages'];
  if (!Array.isArray(raw) || raw.length === 0) {
    return fail("Missing required parameter: 'messages' (a non-empty array).", 'messages');
  }
  const messages: ChatMessage[] = [];
  for (const [index, message] of raw.entries()) {
    const content = (message as { content?: unknown } | null)?.content;
    const role = (message as { role?: unknown } | null)?.role;
    if (typeof role !== 'string')
      return fail(`Invalid 'messages[${index}].role': expected a string.`, 'messages');
    // Null content is legal for assistant turns that only carry tool calls.
    if (content !== null && content !== undefined && typeof content !== 'string' && !Array.isArray(content)) {
      return fail(`Invalid 'messages[${index}].content': expected a string or an array.`, 'messages');
    }
    const name = (message as { name?: unknown }).name;
    messages.push({
      role: role as ChatMessage['role'],
      content: content ?? '',
      ...(typeof name === 'string' ? { name } : {}),
    });
  }
  const maxTokens = fields['max_tokens'] ?? fields['max_completion_tokens'] ?? undefined;
  if (maxTokens !== undefined && (!Number.isSafeInteger(maxTokens) || (maxTokens as number) < 1)) {
    const param = fields['max_tokens'] != null ? 'max_tokens' : 'max_completion_tokens';
    return fail(`Invalid '${param}': expected an integer of at least 1.`, param);
  }
  const stream = fields['stream'] ?? false;
  if (typeof stream !== 'boolean') return fail("Invalid 'stream': expected a boolean.", 'stream');
  const format = fields['response_format'] ?? undefined;
  if (format !== undefined && !FORMAT_TYPES.has((format as { type?: unknown }).type)) {
    return fail(
      "Invalid 'response_format.type': expected 'text', 'json_object' or 'json_schema'.",
      'response_format',
    );
  }
  const streamOptions = fields['stream_options'] as { include_usage?: unknown } | null | undefined;
  return {
    ok: true,
    request: {
      model,
      messages,
      maxTokens: maxTokens as number | undefined,
      stream,
      includeUsage: stream && streamOptions?.include_usage === true,
      responseFormat: format,
    },
  };
}

/** The text of the last user message, where a request for "N items" would be. */
export function lastUserText(messages: readonly ChatMessage[]): string {
  const last = messages.findLast((message) => message.role === 'user');
  if (!last) return '';
  if (typeof last.content === 'string') return last.content;
  return last.content.map((part) => (part as { text?: unknown })?.text ?? '').join(' ');
}

/** Whether the request carries `Authorization: Bearer <apiKey>`; always true when no key is set. */
export function authorized(request: Request, apiKey: string | undefined): boolean {
  return apiKey === undefined || request.headers.get('authorization') === `Bearer ${apiKey}`;
}

function fail(message: string, param: string | null): ParsedChatRequest {
  return { ok: false, message, param };
}

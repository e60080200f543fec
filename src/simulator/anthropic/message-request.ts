import type { ChatMessage } from '../../providers/types.js';

/** The parts of a Messages API request the simulator acts on. */
export interface MessageRequest {
  readonly model: string;
  /** Required by the API: the answer is cut there, with `stop_reason: 'max_tokens'`. */
  readonly maxTokens: number;
  /** The system prompt first (as a `system` message), then the turns: for token counts and the duplicate key. */
  readonly messages: readonly ChatMessage[];
  readonly stream: boolean;
}

export type ParsedMessageRequest =
  | { readonly ok: true; readonly request: MessageRequest }
  | { readonly ok: false; readonly message: string };

const ROLES: ReadonlySet<unknown> = new Set(['user', 'assistant']);

/** Checks a request body (parsed JSON) the way the Messages API does, naming the first field at fault. */
export function parseMessageRequest(body: unknown): ParsedMessageRequest {
  if (typeof body !== 'object' || body === null || Array.isArray(body))
    return fail('The request body must be a JSON object.');
  const fields = body as Record<string, unknown>;
  const { model, max_tokens: maxTokens, messages, system, stream = false } = fields;
  if (typeof model !== 'string' || model === '') return fail('model: Field required');
  if (!Number.isSafeInteger(maxTokens) || (maxTokens as number) < 1)
    return fail('max_tokens: Field required (an integer of at least 1)');
  if (!Array.isArray(messages) || messages.length === 0)
    return fail('messages: Field required (a non-empty list)');
  const turns: ChatMessage[] = [];
  if (system !== undefined) {
    if (typeof system !== 'string' && !Array.isArray(system))
      return fail('system: Input should be a string or a list of text blocks');
    turns.push({ role: 'system', content: system });
  }
  for (const [index, message] of messages.entries()) {
    const { role, content } = (message ?? {}) as { role?: unknown; content?: unknown };
    if (!ROLES.has(role)) return fail(`messages.${index}.role: Input should be 'user' or 'assistant'`);
    if (typeof content !== 'string' && !Array.isArray(content))
      return fail(`messages.${index}.content: Input should be a string or a list of content blocks`);
    turns.push({ role: role as 'user' | 'assistant', content });
  }
  if (typeof stream !== 'boolean') return fail('stream: Input should be a valid boolean');
  return { ok: true, request: { model, maxTokens: maxTokens as number, messages: turns, stream } };
}

function fail(message: string): ParsedMessageRequest {
  return { ok: false, message };
}

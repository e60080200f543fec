/**
 * The Messages API wire format, both ways: the body a `ProviderRequest` is posted as, and what a
 * `Message` says. `send`, the Message Batches API and the cache all go through these two.
 */
import type Anthropic from '@anthropic-ai/sdk';
import { VolleyError } from '../../errors.js';
import { describeBody, emptyAnswer, malformed, withheld } from '../answers.js';
import { count, isRecord, nonEmpty } from '../shared.js';
import type { ChatMessage, ProviderAnswer, ProviderRequest, ResponseFormat, Usage } from '../types.js';

type Params = Anthropic.MessageCreateParamsNonStreaming;
/** An SDK-typed body that is also a plain JSON record (what `Provider.requestBody` promises). */
export type MessagesBody = Params & Record<string, unknown>;

/**
 * Appended to the system prompt for `responseFormat: { type: 'json_object' }`: the Messages API
 * has no JSON mode, so the model is asked for JSON instead.
 */
export const JSON_OBJECT_INSTRUCTION =
  'Answer with one valid JSON object and nothing else: no prose before or after it and no Markdown code fences.';

/**
 * `{ model, max_tokens, messages, system?, temperature?, ...params }`, never streaming (see
 * `anthropic()` for how messages and `responseFormat` are mapped). Throws `invalid_request` for a
 * `tool` message.
 */
export function messagesBody(request: ProviderRequest, defaultMaxTokens: number): MessagesBody {
  const system: ChatMessage['content'][] = [];
  const messages: Params['messages'] = [];
  for (const { role, content } of request.messages) {
    if (role === 'system' || role === 'developer') system.push(content);
    else if (role === 'user' || role === 'assistant') {
      // Content parts go as they are: the server checks them.
      messages.push({ role, content: content as Anthropic.MessageParam['content'] });
    } else {
      const message = `The Anthropic Messages API has no "${String(role)}" role. Send tool results as "tool_result" content blocks in a user message instead.`;
      throw new VolleyError('invalid_request', message);
    }
  }
  const instruction = jsonInstruction(request.responseFormat);
  if (instruction !== undefined) system.push(instruction);
  const { stream: _stream, ...params } = request.params;
  return {
    model: request.model,
    max_tokens: request.maxTokens ?? defaultMaxTokens,
    messages,
    ...(system.length === 0 ? {} : { system: joinSystem(system) }),
    ...(request.temperature === undefined ? {} : { temperature: request.temperature }),
    ...params,
  };
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
function joinSystem(parts: readonly ChatMessage['content'][]): Params['system'] {
  if (parts.every((part) => typeof part === 'string')) return parts.join('\n\n');
  return parts.flatMap((part) =>
    typeof part === 'string' ? [{ type: 'text' as const, text: part }] : (part as Anthropic.TextBlockParam[]),
  );
}

const API = 'the Anthropic Messages API (without /v1)';

/**
 * What a `Message` says: its text blocks joined, the stop reason, the usage and the model (`model`
 * when the body names none). A refusal is `content_filtered`; a body with no content list, or
 * content with neither text nor tool use, is `malformed_response`.
 */
export function readMessage(body: unknown, model: string, baseURL: string): ProviderAnswer {
  const message = isRecord(body) ? (body as Partial<Anthropic.Message>) : {};
  const blocks = Array.isArray(message.content) ? message.content : undefined;
  const finishReason = nonEmpty(message.stop_reason) ?? null;
  if (blocks === undefined)
    throw malformed(baseURL, API, `without a message (${describeBody(body, 'content')})`);
  if (finishReason === 'refusal') throw withheld('The model declined to answer (stop_reason "refusal").');
  const text = blocks
    .map((block) => (block?.type === 'text' && typeof block.text === 'string' ? block.text : ''))
    .join('');
  const toolUse = blocks.some((block) => typeof block?.type === 'string' && block.type.endsWith('tool_use'));
  if (text === '' && !toolUse) throw emptyAnswer(baseURL, API, finishReason, finishReason === 'max_tokens');
  return { text, usage: readUsage(message.usage), finishReason, model: nonEmpty(message.model) ?? model };
}

/**
 * Anthropic's usage as `Usage`: prompt tokens are `input_tokens` plus the cache writes and reads,
 * which Anthropic counts apart; completion tokens are `output_tokens`. Undefined when none.
 */
export function readUsage(usage: Partial<Anthropic.Usage> | null | undefined): Usage | undefined {
  if (!isRecord(usage)) return undefined;
  const parts = [usage.input_tokens, usage.cache_creation_input_tokens, usage.cache_read_input_tokens].map(
    count,
  );
  const output = count(usage.output_tokens);
  if (output === undefined && parts.every((part) => part === undefined)) return undefined;
  const promptTokens = parts.reduce<number>((sum, part) => sum + (part ?? 0), 0);
  const completionTokens = output ?? 0;
  return { promptTokens, completionTokens, totalTokens: promptTokens + completionTokens };
}

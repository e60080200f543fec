/**
 * The chat completions wire format, both ways: the body a `ProviderRequest` is posted as, and what
 * a chat completion body says. `send`, the Batch API and the cache all go through these two.
 */
import type OpenAI from 'openai';
import { describeBody, emptyAnswer, malformed, withheld } from '../answers.js';
import { count, isRecord, nonEmpty, quote } from '../shared.js';
import type { ProviderAnswer, ProviderRequest, Usage } from '../types.js';

type Params = OpenAI.ChatCompletionCreateParamsNonStreaming;
/** An SDK-typed body that is also a plain JSON record (what `Provider.requestBody` promises). */
export type ChatBody = Params & Record<string, unknown>;

/**
 * `{ model, messages, max_tokens?, temperature?, response_format?, ...params }`, never streaming.
 * `params` win, and `max_tokens` is left out when they set `max_completion_tokens` (newer OpenAI
 * models refuse both together).
 */
export function chatBody(request: ProviderRequest): ChatBody {
  const { maxTokens, temperature, responseFormat, params } = request;
  if (!hasKeys(params)) {
    // Most calls have no params: the same body, built without the spreads (each a generic copy of
    // an object made only to be copied), on the path every call takes.
    const body: ChatBody = { model: request.model, messages: request.messages as Params['messages'] };
    if (maxTokens !== undefined) body.max_tokens = maxTokens;
    if (temperature !== undefined) body.temperature = temperature;
    if (responseFormat !== undefined) body.response_format = responseFormat as Params['response_format'];
    return body;
  }
  const { stream: _stream, stream_options: _options, ...rest } = params;
  return {
    model: request.model,
    // The caller's messages go as they are, content parts included: the server checks them.
    messages: request.messages as Params['messages'],
    ...(maxTokens === undefined || Object.hasOwn(rest, 'max_completion_tokens')
      ? {}
      : { max_tokens: maxTokens }),
    ...(temperature === undefined ? {} : { temperature }),
    ...(responseFormat === undefined ? {} : { response_format: responseFormat as Params['response_format'] }),
    ...rest,
  };
}

function hasKeys(record: Readonly<Record<string, unknown>>): boolean {
  for (const _ in record) return true;
  return false;
}

/**
 * `body` streaming, with `stream_options.include_usage` unless `params` set their own (`null` drops
 * it, for servers that refuse the field).
 */
export function streamBody(body: ChatBody, params: ProviderRequest['params']) {
  const options = params['stream_options'] as Params['stream_options'];
  const given = Object.hasOwn(params, 'stream_options');
  const streamOptions = given ? (options ?? undefined) : { include_usage: true };
  return {
    ...body,
    stream: true as const,
    ...(streamOptions == null ? {} : { stream_options: streamOptions }),
  };
}

const API = 'an OpenAI-compatible /chat/completions API';

/**
 * The first choice's text and finish reason, the usage and the model (`model` when the body names
 * none). A refusal, or an answer the content filter withheld, is `content_filtered`; no choice, or
 * a message with neither text nor tool calls, is `malformed_response`.
 */
export function readCompletion(
  body: unknown,
  model: string,
  baseURL: string,
  secrets: readonly string[],
): ProviderAnswer {
  const completion = isRecord(body) ? (body as Partial<OpenAI.ChatCompletion>) : {};
  const choice = Array.isArray(completion.choices) ? completion.choices[0] : undefined;
  const message = isRecord(choice?.message) ? choice.message : undefined;
  const finishReason = nonEmpty(choice?.finish_reason) ?? null;
  const text = message?.content ?? '';
  const refusal = nonEmpty(message?.refusal);
  if (message === undefined)
    throw malformed(baseURL, API, `without a choice (${describeBody(body, 'choices')})`);
  if (typeof text !== 'string') throw malformed(baseURL, API, 'with message content that is not text');
  if (refusal) throw withheld(`The model refused to answer: "${quote(refusal, secrets, 200)}".`);
  if (text === '' && finishReason === 'content_filter')
    throw withheld("The server's content filter withheld the answer.");
  if (text === '' && !message.tool_calls?.length)
    throw emptyAnswer(baseURL, API, finishReason, finishReason === 'length');
  return {
    text,
    usage: readUsage(completion.usage),
    finishReason,
    model: nonEmpty(completion.model) ?? model,
  };
}

/** Undefined when the server reported no count at all. */
function readUsage(usage: OpenAI.CompletionUsage | null | undefined): Usage | undefined {
  if (!isRecord(usage)) return undefined;
  const prompt = count(usage.prompt_tokens);
  const completion = count(usage.completion_tokens);
  const total = count(usage.total_tokens);
  if (prompt === undefined && completion === undefined && total === undefined) return undefined;
  const promptTokens = prompt ?? 0;
  const completionTokens = completion ?? Math.max(0, (total ?? 0) - promptTokens);
  return { promptTokens, completionTokens, totalTokens: total ?? promptTokens + completionTokens };
}

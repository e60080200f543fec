import { countMessageTokens } from '../../tokens/count.js';
import { composeAnswer } from '../answers.js';
import { type ChatRequest, lastUserText, parseChatRequest } from '../chat-request.js';
import { completionBody, usageBody } from '../completion.js';
import type { ResolvedSimulatorOptions } from '../options.js';
import { type ErrorFields, errors } from '../responses.js';
import { digest } from '../rng.js';
import type { LineFaultKind } from './options.js';

/** What one line of an OpenAI batch is answered with: `response.status_code` and `response.body`. */
export type ChatLineResult =
  | {
      readonly ok: true;
      /** Digest of model + messages: the same key as the chat endpoint's, for the duplicate count. */
      readonly key: string;
      readonly promptTokens: number;
      readonly completionTokens: number;
      readonly body: object;
    }
  | { readonly ok: false; readonly status: number; readonly body: { readonly error: ErrorFields } };

/** The chat request of a line, or why the chat endpoint would refuse it. */
function readChatLine(body: unknown): ChatRequest | ErrorFields {
  const parsed = parseChatRequest(JSON.stringify(body));
  return parsed.ok ? parsed.request : errors.badRequest(parsed.message, parsed.param);
}

/** Prompt tokens of a line, for the enqueued-token limit; 0 for a line the endpoint would refuse. */
export function lineTokens(body: unknown): number {
  const chat = readChatLine(body);
  return 'messages' in chat ? countMessageTokens(chat.messages) : 0;
}

/**
 * Answers a line as the chat endpoint would (the same deterministic answer and token counts), with
 * the same checks, then the scripted fault if it drew one.
 */
export function answerChatLine(
  body: unknown,
  options: ResolvedSimulatorOptions,
  fault: LineFaultKind | undefined,
  meta: { readonly id: string; readonly created: number },
): ChatLineResult {
  const fail = (status: number, error: ErrorFields) => ({ ok: false, status, body: { error } }) as const;
  const chat = readChatLine(body);
  if (!('messages' in chat)) return fail(400, chat);
  if (options.models.length > 0 && !options.models.includes(chat.model))
    return fail(404, errors.modelNotFound(chat.model));
  const promptTokens = countMessageTokens(chat.messages);
  const maxTokens = chat.maxTokens ?? 0;
  if (promptTokens + maxTokens > options.contextWindow)
    return fail(400, errors.contextLengthExceeded(options.contextWindow, promptTokens, maxTokens));
  if (fault === 'invalid_request')
    return fail(
      400,
      errors.badRequest('The simulator refused this line (a scripted invalid_request fault).', null),
    );
  if (fault === 'server_error') return fail(500, errors.serverError());
  if (fault === 'overloaded') return fail(503, errors.unavailable());
  const key = digest([chat.model, chat.messages]);
  const answer = composeAnswer({
    seed: options.seed,
    key,
    lastUserText: lastUserText(chat.messages),
    responseFormat: chat.responseFormat,
    outputTokens: options.outputTokens,
    maxTokens: chat.maxTokens,
  });
  const usage = usageBody(promptTokens, answer.completionTokens);
  const completion = completionBody({ ...meta, model: chat.model }, answer, usage);
  return { ok: true, key, promptTokens, completionTokens: answer.completionTokens, body: completion };
}

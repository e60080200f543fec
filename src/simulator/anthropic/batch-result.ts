import type { LineFaultKind } from '../batch/options.js';
import type { ResolvedSimulatorOptions } from '../options.js';
import { type AnthropicErrorFields, anthropicErrorBody, anthropicErrors } from './errors.js';
import { answerMessage, messageBody } from './message.js';
import { parseMessageRequest } from './message-request.js';

/** What one request of a message batch came to: a message (paid) or an error. */
export type BatchRequestResult =
  | {
      readonly type: 'succeeded';
      readonly key: string;
      readonly inputTokens: number;
      readonly outputTokens: number;
      readonly message: object;
    }
  | { readonly type: 'errored'; readonly error: object };

const FAULTS: Record<LineFaultKind, () => AnthropicErrorFields> = {
  invalid_request: () =>
    anthropicErrors.invalidRequest('The simulator refused this request (a scripted invalid_request fault).'),
  server_error: anthropicErrors.apiError,
  overloaded: anthropicErrors.overloaded,
};

/** Answers a request's `params` as `POST /v1/messages` would, with the same checks, then the scripted fault. */
export function answerBatchRequest(
  params: unknown,
  options: ResolvedSimulatorOptions,
  fault: LineFaultKind | undefined,
  id: string,
): BatchRequestResult {
  const errored = (fields: AnthropicErrorFields) =>
    ({ type: 'errored', error: anthropicErrorBody(fields) }) as const;
  const parsed = parseMessageRequest(params);
  if (!parsed.ok) return errored(anthropicErrors.invalidRequest(parsed.message));
  if (parsed.request.stream)
    return errored(anthropicErrors.invalidRequest('stream: a batch request cannot stream'));
  const { model, maxTokens } = parsed.request;
  if (options.anthropicModels.length > 0 && !options.anthropicModels.includes(model))
    return errored(anthropicErrors.notFound(`model: ${model}`));
  const answer = answerMessage(parsed.request, options.seed, options.outputTokens);
  if (answer.inputTokens + maxTokens > options.contextWindow)
    return errored(anthropicErrors.contextTooLong(answer.inputTokens, maxTokens, options.contextWindow));
  if (fault) return errored(FAULTS[fault]());
  return {
    type: 'succeeded',
    key: answer.key,
    inputTokens: answer.inputTokens,
    outputTokens: answer.answer.completionTokens,
    message: messageBody(id, model, answer, 'batch'),
  };
}
